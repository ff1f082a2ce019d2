// From an aligned document set to the record the TM stores.
#pragma once

#include "aligner/document_set.h"
#include "tm/tm_types.h"

namespace untm {

// Key, symbol and original language (from the versions' mastheads), one
// StoredVersion per file (sha256, paragraph and sentence counts), and one
// unit per aligned unit with its paragraph key and confidence; a language
// whose text is empty in a unit (a missing paragraph) is left out of it.
// aligner_version = kAlignerVersion.
StoredDocument to_stored_document(const AlignedDocumentSet& set);

}  // namespace untm
