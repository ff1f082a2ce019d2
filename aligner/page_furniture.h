// Recognizers for what a PDF or Word extraction puts on every page and what
// a UN masthead holds: job numbers ("11-29765 (C)", "37246 (E)"), barcodes
// ("*1129765*"), page numbers, document symbols ("S/2011/463"), "Please
// recycle", and masthead lines ("Distr.: General", "Original: English",
// "[原件：阿拉伯文]"). Each function looks at one line of text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace untm {

// "S/2011/463", "A/RES/55/100", "E/CN.4/2005/L.10", "S/2003/191/Add.1",
// optionally followed by "*" or a year in brackets: "S/RES/1973 (2011)".
bool is_document_symbol(std::string_view token);

// A line that is page furniture whatever its position: a job number, a
// barcode, a page number, "Please recycle", or a header combining them
// ("2 11-29765", "11-29765 (E) 291101"). A bare symbol line is not included:
// the caller decides whether it is the masthead symbol or a running header.
bool is_page_furniture_line(std::string_view line);

// A line that is only a document symbol (see is_document_symbol).
bool is_symbol_line(std::string_view line);

// What a masthead line says, when the whole line is masthead material.
struct MastheadLine {
  std::optional<std::string> symbol;
  std::optional<std::string> original_lang;  // from "Original: …" / "[原件：…]"
  bool bracketed_original = false;           // "[Original: Arabic]": an annex's
  std::optional<std::string> date;           // a date alone on the line
};

// Recognizes a line made only of masthead material ("United Nations",
// "Security Council", "Distr.: General", "14 April 2011", "Original: English",
// "Chinese", "Sixty-fifth session", "Agenda item 12", and their zh, ar, fr, es,
// ru forms). `anywhere` restricts it to what may stand outside the masthead:
// "Original: …" lines, bracketed or not.
std::optional<MastheadLine> parse_masthead_line(std::string_view line, bool anywhere);

// A session, agenda-item or Main Committee line, the whole line and at most
// 80 bytes: "Sixty-fifth session", "Agenda item 119 (b)", "Point 12 de l'ordre
// du jour", "Tema 12 del programa provisional", "Пункт 12 повестки дня",
// "议程项目 12", "البند 12 من جدول الأعمال", "第六十五届会议", "الدورة الخامسة
// والستون", "Third Committee", "第三委员会", "اللجنة الثالثة".
bool is_session_or_committee_line(std::string_view line);

// A date written out in any of the six languages ("13 April 2011",
// "2011 年 4 月 13 日", "13 نيسان/أبريل 2011", "13 de abril de 2011",
// "13 avril 2011", "13 апреля 2011 года"), found anywhere in `text`.
std::optional<std::string> find_date(std::string_view text);

// Language code named by a language name in any of the six languages
// ("English", "阿拉伯文", "بالعربية", "anglais", "inglés", "английский").
std::optional<std::string> language_from_name(std::string_view name);

}  // namespace untm
