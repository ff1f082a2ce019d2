#include <catch2/catch.hpp>

#include "aligner/language.h"

using namespace untm;

TEST_CASE("language from the file name") {
  CHECK(language_from_file_name("zh.txt") == "zh");
  CHECK(language_from_file_name("corpora/libya/ar.txt") == "ar");
  CHECK(language_from_file_name("S_2011_463.en.txt") == "en");
  CHECK(language_from_file_name("S_2011_463_fr.txt") == "fr");
  CHECK(language_from_file_name("S-2011-463-ru.txt") == "ru");
  CHECK(language_from_file_name("N1129765_C.txt") == "zh");
  CHECK(language_from_file_name("N1129765_A.txt") == "ar");
  CHECK(language_from_file_name("N1129765-S.txt") == "es");
  CHECK(language_from_file_name("N1129765_E.txt") == "en");
  CHECK(language_from_file_name("N1129765_F.txt") == "fr");
  CHECK(language_from_file_name("N1129765_R.txt") == "ru");
  CHECK(language_from_file_name("report.de.txt") == "de");
  CHECK_FALSE(language_from_file_name("report.txt"));
  CHECK_FALSE(language_from_file_name("N1129765_X.txt"));
  CHECK_FALSE(language_from_file_name("ZH.txt"));
  CHECK_FALSE(language_from_file_name("plan_B.txt"));
}

TEST_CASE("language detected from script and function words") {
  CHECK(detect_language("参加者们欢迎自伦敦会议以来在支持利比亚人民和确保他们得到保护方面所取得的进展。").lang == "zh");
  CHECK(detect_language("يرحب المشاركون بالتقدم المحرز منذ مؤتمر لندن في دعم الشعب الليبي").lang == "ar");
  CHECK(detect_language("Участники приветствовали прогресс, достигнутый со времени Лондонской конференции").lang == "ru");
  CHECK(detect_language("Participants welcomed the progress made since the London Conference in supporting the "
                        "Libyan people and ensuring their protection.")
            .lang == "en");
  CHECK(detect_language("Les participants se sont félicités des progrès accomplis depuis la Conférence de Londres "
                        "pour soutenir le peuple libyen et assurer sa protection dans les villes.")
            .lang == "fr");
  CHECK(detect_language("Los participantes acogieron con beneplácito los progresos realizados desde la Conferencia "
                        "de Londres en el apoyo al pueblo libio y su protección por los Estados.")
            .lang == "es");
  CHECK(detect_language("12345 !!! ...").lang.empty());
  // Capitals count as their small letters; a function word with a letter
  // beyond ASCII ("não") counts too; words are cut by non-Latin letters.
  CHECK(detect_language("THE COUNCIL AND THE SECRETARIAT OF THE UNITED NATIONS").lang == "en");
  CHECK(detect_language("O relatório não foi aprovado pela Assembleia; não houve votação dos Estados").lang == "pt");
  const LanguageGuess mixed = detect_language("the参加and者of们");
  CHECK(mixed.lang == "zh");
  CHECK(detect_language("the参加and者of们the the the the").evidence == "Latin script and function words");
}

TEST_CASE("language codes") {
  CHECK(official_languages() == std::vector<std::string>{"ar", "zh", "en", "fr", "ru", "es"});
  CHECK(is_language_code("hu"));
  CHECK_FALSE(is_language_code("EN"));
  CHECK_FALSE(is_language_code("eng"));
  CHECK_FALSE(is_language_code(""));
}
