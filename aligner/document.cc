#include "aligner/document.h"

namespace untm {

std::string_view to_string(ParagraphKind kind) {
  switch (kind) {
    case ParagraphKind::meta: return "meta";
    case ParagraphKind::title: return "title";
    case ParagraphKind::heading: return "heading";
    case ParagraphKind::numbered: return "numbered";
    case ParagraphKind::body: return "body";
    case ParagraphKind::signature: return "signature";
    case ParagraphKind::footnote: return "footnote";
  }
  return "body";
}

}  // namespace untm
