// Paragraph labels ("1.", "1．", "1 - ", "١ - ", "(a)", "(أ)", "A.", "ألف -",
// "I.", "أولا -", "一、") and their language-independent keys, so paragraph 1
// in Chinese matches paragraph ١ in Arabic.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace untm {

enum class LabelStyle {
  number,          // 1.  1．  1 -  ١ -  12)  1.2   key "1", "12", "1.2"
                   // (1)  (١)                    key "(1)"
  letter,          // (a)  a)  (أ)  （a）  б)      key "(a)"; (ظ) "(aa)"
                   // (i)  (iv)  ’1‘  ㈠  (一)      key "(i)", "(iv)"
  section_letter,  // A.  Ａ．  ألف -  Б.            key "A"
  roman,           // I.  IV.  أولا -  一、        key "I", "IV"
};

struct ParagraphLabel {
  // The label as written, without trailing space: "1．", "١ -".
  std::string text;
  // Language independent: "1", "(a)", "A", "IV".
  std::string key;
  LabelStyle style = LabelStyle::number;
  // Byte offset in the line where the text after the label starts (after
  // the white space); the line size when nothing follows.
  std::size_t body_begin = 0;
};

// Recognizes a label at the start of `line` (leading white space allowed).
// Returns nothing when the line does not start with a label, e.g. "2011 年"
// or "1973(2011)号决议" (a number that is text, not a label).
std::optional<ParagraphLabel> parse_paragraph_label(std::string_view line,
                                                    std::string_view lang);

// Canonical upper-case roman numeral of 1..3999 ("IV" for 4); empty otherwise.
std::string roman_numeral(int value);

// Value of a canonical roman numeral, all upper-case or all lower-case ("iv"
// and "IV" are 4); 0 for anything else ("IIII", "Iv", "MIX" is 1009).
int roman_numeral_value(std::string_view text);

}  // namespace untm
