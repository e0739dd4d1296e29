package dev.charlstm.scrape;

import static org.assertj.core.api.Assertions.assertThat;

import org.jsoup.Jsoup;
import org.junit.jupiter.api.Test;

class FaqExtractorTest {

    private static FaqExtractor.Extraction extract(String bodyHtml) {
        return FaqExtractor.extract(Jsoup.parse("<html><body>" + bodyHtml + "</body></html>"), "test page");
    }

    private static String accordion(String... headerThenPanelHtml) {
        StringBuilder html = new StringBuilder("<div class=\"uw-accordion\">");
        for (int i = 0; i < headerThenPanelHtml.length; i += 2) {
            html.append("<h2 class=\"uw-accordion-header\">").append(headerThenPanelHtml[i]).append("</h2>")
                    .append("<div class=\"uw-accordion-panel\"><div class=\"uw-accordion-panel-inner\">")
                    .append(headerThenPanelHtml[i + 1]).append("</div></div>");
        }
        return html.append("</div>").toString();
    }

    @Test
    void keepsTypographicCharactersAsTheyAre() {
        String text = extract(accordion("What’s “social distancing”?",
                "<p>Stay 6 feet apart — that’s about 2 m… ½ of the rule. Emoji: 😷</p>")).text();

        assertThat(text).isEqualTo("What’s “social distancing”?\nStay 6 feet apart — that’s about 2 m… ½ of the rule. Emoji: 😷\n");
    }

    @Test
    void collapsesWhitespaceIncludingNoBreakSpacesWithinALine() {
        String text = extract(accordion("  Tabs\tand\n newlines?  ",
                "<p>one&nbsp;&nbsp;two\u2003three <br> four</p>")).text();

        assertThat(text).isEqualTo("Tabs and newlines?\none two three four\n");
    }

    @Test
    void givesNestedListItemsAndBareTextTheirOwnLines() {
        String text = extract(accordion("Q?",
                "Bare intro text<ul><li>a<ol><li>a1</li><li>a2 <a href=\"#\">link</a></li></ol></li><li>b</li></ul>"
                        + "<div>In a div</div><table><tr><td>cell 1</td><td>cell 2</td></tr></table>")).text();

        assertThat(text).isEqualTo("Q?\nBare intro text\na\na1\na2 link\nb\nIn a div\ncell 1 cell 2\n");
    }

    @Test
    void noEmptyLinesInsideEntriesAndOneBlankLineBetween() {
        String text = extract(accordion("One?", "<p>  </p><p>1</p><p>&nbsp;</p><ul><li></li></ul>",
                "Two?", "<p>2</p>")).text();

        assertThat(text).isEqualTo("One?\n1\n\nTwo?\n2\n");
    }

    @Test
    void keepsAQuestionWithoutAnswerAndAnAnswerWithoutQuestion() {
        String html = "<div class=\"uw-accordion\">"
                + "<h3 class=\"uw-accordion-header\">Unanswered?</h3>"
                + "<h3 class=\"uw-accordion-header\">Answered?</h3>"
                + "<div class=\"uw-accordion-panel\"><p>Yes.</p></div>"
                + "<div class=\"uw-accordion-panel\"><p>Orphan answer.</p></div>"
                + "</div>";

        FaqExtractor.Extraction extraction = extract(html);

        assertThat(extraction.text()).isEqualTo("Unanswered?\n\nAnswered?\nYes.\n\nOrphan answer.\n");
        assertThat(extraction.entries()).hasSize(3);
    }

    @Test
    void aNestedAccordionStaysPartOfItsAnswer() {
        String inner = accordion("Sub-question?", "<p>Sub-answer.</p>");
        String text = extract(accordion("Outer?", "<p>Outer answer.</p>" + inner)).text();

        assertThat(text).isEqualTo("Outer?\nOuter answer.\nSub-question?\nSub-answer.\n");
    }

    @Test
    void headerClassOnBothHeadingAndButtonCountsOnce() {
        String html = "<div class=\"uw-accordion\"><h2 class=\"uw-accordion-header\">"
                + "<button class=\"uw-accordion-header\">Twice marked?</button></h2>"
                + "<div class=\"uw-accordion-panel\"><p>Once read.</p></div></div>";

        assertThat(extract(html).text()).isEqualTo("Twice marked?\nOnce read.\n");
    }

    @Test
    void lastUpdatedParagraphsGoWhateverTheirCase() {
        String text = extract(accordion("Q?", "<p>LAST UPDATED: today</p><p><em>Last Updated</em> 3/4</p>"
                + "<p>An updated answer, last updated never.</p>")).text();

        assertThat(text).isEqualTo("Q?\nAn updated answer, last updated never.\n");
    }

    @Test
    void fallbackPrefersMainThenArticleThenContentThenBody() {
        assertThat(extract("<p>outside</p><article><p>in article</p></article><main><p>in main</p></main>").text())
                .isEqualTo("in main\n");
        assertThat(extract("<p>outside</p><div id=\"content\"><p>in content</p></div><article><p>in article</p></article>")
                .text()).isEqualTo("in article\n");
        assertThat(extract("<p>outside</p><div id=\"content\"><p>in content</p></div>").text())
                .isEqualTo("in content\n");
        assertThat(extract("<nav><p>menu</p></nav><p>just body</p><footer><p>foot</p></footer>").text())
                .isEqualTo("just body\n");
    }

    @Test
    void anAccordionWithoutTextFallsBack() {
        FaqExtractor.Extraction extraction =
                extract("<main><div class=\"uw-accordion\"><p class=\"show-for-sr\">Accordion</p></div><p>Body.</p></main>");

        assertThat(extraction.report().shape()).isEqualTo(ExtractionReport.Shape.MAIN_CONTENT);
        assertThat(extraction.text()).isEqualTo("Body.\n");
    }

    @Test
    void nothingToReadIsEmpty() {
        FaqExtractor.Extraction extraction = extract("<main><h1>Title only</h1><script>var x = 1;</script></main>");

        assertThat(extraction.isEmpty()).isTrue();
        assertThat(extraction.text()).isEmpty();
    }

    @Test
    void wordsMarkedUpInsideAQuestionAreNotDecorations() {
        String text = extract(accordion(
                "What is <em>PCR</em>?", "<p>A lab test.</p>",
                "Clinics near <strong>Union South</strong>", "<p>Room 2A.</p>",
                "<button>How do I book <span>a test</span></button>", "<p>Online.</p>",
                "What changes in fall <strong>2021</strong>", "<p>Little.</p>")).text();

        assertThat(text).isEqualTo("What is PCR?\nA lab test.\n\nClinics near Union South\nRoom 2A.\n\n"
                + "How do I book a test\nOnline.\n\nWhat changes in fall 2021\nLittle.\n");
    }

    @Test
    void updatedAsAWordOfTheAnswerIsNoStamp() {
        FaqExtractor.Extraction extraction = extract(accordion("Q?",
                "<p>Updated guidance says masks are optional.</p><p>The <b>updated</b> rules apply.</p>"));

        assertThat(extraction.text()).isEqualTo("Q?\nUpdated guidance says masks are optional.\nThe updated rules apply.\n");
        assertThat(extraction.report().dropped(ChromeRule.STAMP)).isZero();
    }

    @Test
    void aCollapsedPanelHiddenFromScreenReadersIsStillTheAnswerButItsIconsGo() {
        String html = "<h3><button aria-controls=\"p1\" aria-expanded=\"false\">Open?<i aria-hidden=\"true\">v</i></button></h3>"
                + "<div id=\"p1\" hidden><p>Yes <span aria-hidden=\"true\">&#9432;</span>daily.</p></div>"
                + "<h3><button aria-controls=\"p2\" aria-expanded=\"false\">Closed?</button></h3>"
                + "<div id=\"p2\" aria-hidden=\"true\" style=\"display: none\"><p>On holidays.</p></div>";

        FaqExtractor.Extraction extraction = extract(html);

        assertThat(extraction.text()).isEqualTo("Open?\nYes daily.\n\nClosed?\nOn holidays.\n");
        assertThat(extraction.report().dropped(ChromeRule.HIDDEN)).isEqualTo(2);
    }

    @Test
    void aLineRepeatedInFewAnswersOrAmidTheirTextStays() {
        String[] words = {"red", "green", "blue", "amber", "white", "gray"};
        String[] parts = new String[12];
        for (int i = 0; i < 6; i++) {
            parts[2 * i] = "Why " + words[i] + "?";
            // Every answer has "See the policy." amid its text; only two end with "Call us."
            parts[2 * i + 1] = "<p>Because " + words[i] + ".</p><p>See the policy.</p><p>Then " + words[i] + ".</p>"
                    + (i < 2 ? "<p>Call us.</p>" : "");
        }

        FaqExtractor.Extraction extraction = extract(accordion(parts));

        assertThat(extraction.text()).startsWith("Why red?\nBecause red.\nSee the policy.\nThen red.\nCall us.\n\n")
                .endsWith("Why gray?\nBecause gray.\nSee the policy.\nThen gray.\n");
        assertThat(extraction.report().dropped(ChromeRule.REPEATED)).isZero();
    }

    @Test
    void aLineRepeatedAtTheEndOfMostAnswersGoesEvenWithNumbersAndDatesThatDiffer() {
        FaqExtractor.Extraction extraction = extract(accordion(
                "One?", "<p>First.</p><p>Viewed 12 times since May 3</p>",
                "Two?", "<p>Second.</p><p>Viewed 7 times since June 10</p>",
                "Three?", "<p>Third.</p><p>Viewed 130 times since July 1</p>",
                "Four?", "<p>Fourth.</p>"));

        assertThat(extraction.text()).isEqualTo("One?\nFirst.\n\nTwo?\nSecond.\n\nThree?\nThird.\n\nFour?\nFourth.\n");
        assertThat(extraction.report().drops()).containsExactly(
                new ExtractionReport.Drop(ChromeRule.REPEATED, "Viewed 12 times since May 3", 3));
    }

    @Test
    void aShortAnswerThatManyQuestionsShareIsNoWidget() {
        FaqExtractor.Extraction extraction = extract(accordion(
                "Is it free?", "<p>Yes.</p><p>Was this helpful?</p>",
                "Is it open?", "<p>Yes.</p><p>Was this helpful?</p>",
                "Is it far?", "<p>No, five minutes away.</p><p>Was this helpful?</p>",
                "Is it safe?", "<p>Yes.</p><p>Was this helpful?</p>"));

        assertThat(extraction.text()).isEqualTo(
                "Is it free?\nYes.\n\nIs it open?\nYes.\n\nIs it far?\nNo, five minutes away.\n\nIs it safe?\nYes.\n");
        assertThat(extraction.report().drops()).containsExactly(
                new ExtractionReport.Drop(ChromeRule.REPEATED, "Was this helpful?", 4));
    }

    @Test
    void linksStyledAsButtonsAndPlainLabelsStayButButtonsAndFieldLabelsGo() {
        FaqExtractor.Extraction extraction = extract(accordion("Q?",
                "<p>You can <a role=\"button\" href=\"/book\">book online</a> now.</p>"
                        + "<p><label>Note:</label> bring ID.</p>"
                        + "<p><label for=\"e\">Your email</label><input id=\"e\"><button>Send</button></p>"));

        assertThat(extraction.text()).isEqualTo("Q?\nYou can book online now.\nNote: bring ID.\n");
        assertThat(extraction.report().dropped(ChromeRule.CONTROLS)).isEqualTo(2);
    }

    @Test
    void aPanelOfOnlyLinksIsNotAnAnswer() {
        FaqExtractor.Extraction extraction = extract(accordion(
                "Related pages", "<ul><li><a href=\"/a\">Testing</a></li><li><a href=\"/b\">Vaccines</a></li></ul>",
                "Real?", "<p>See <a href=\"/a\">testing</a> for more.</p>"));

        assertThat(extraction.text()).isEqualTo("Real?\nSee testing for more.\n");
        assertThat(extraction.report().drops()).containsExactly(
                new ExtractionReport.Drop(ChromeRule.CONTROLS, "Related pages: Testing Vaccines", 1));
    }

    @Test
    void menuTogglesAndExpandAllButtonsAreNoQuestions() {
        String html = "<nav><button aria-controls=\"menu\" aria-expanded=\"false\">Menu</button>"
                + "<ul id=\"menu\"><li><a href=\"/\">Home</a></li></ul></nav>"
                + "<main><button aria-controls=\"d1 d2\">Expand all</button>"
                + "<details id=\"d1\"><summary>First?</summary><p>Yes.</p></details>"
                + "<details id=\"d2\"><summary>Second?</summary><p>No.</p></details></main>";

        FaqExtractor.Extraction extraction = extract(html);

        assertThat(extraction.report().shape()).isEqualTo(ExtractionReport.Shape.DETAILS);
        assertThat(extraction.text()).isEqualTo("First?\nYes.\n\nSecond?\nNo.\n");
    }

    @Test
    void tabsOverAccordionsAreTopicsAndHeadersTakeThePanelTheyControl() {
        String html = "<div role=\"tablist\"><button role=\"tab\" aria-controls=\"t1\">Students</button>"
                + "<button role=\"tab\" aria-controls=\"t2\">Employees</button></div>"
                + "<div id=\"t1\" role=\"tabpanel\">" + accordion("Student question?", "<p>Student answer.</p>") + "</div>"
                + "<div id=\"t2\" role=\"tabpanel\" hidden>"
                // Both buttons first, then both panels: each button names its own.
                + "<h3><button aria-controls=\"e1\">First employee question?</button></h3>"
                + "<h3><button aria-controls=\"e2\">Second employee question?</button></h3>"
                + "<div id=\"e2\"><p>Second answer.</p></div><div id=\"e1\"><p>First answer.</p></div></div>";

        FaqExtractor.Extraction extraction = extract(html);

        assertThat(extraction.text()).isEqualTo("Student question?\nStudent answer.\n\n"
                + "First employee question?\nFirst answer.\n\nSecond employee question?\nSecond answer.\n");
    }

    @Test
    void jsonLdThatIsBrokenOrHoldsNoQuestionsLeavesTheHtmlToBeRead() {
        String html = "<script type=\"application/ld+json\">{\"@type\": \"FAQPage\", </script>"
                + "<script type=\"application/ld+json\">{\"@type\": \"FAQPage\", \"mainEntity\": []}</script>"
                + accordion("Q?", "<p>A.</p>");

        FaqExtractor.Extraction extraction = extract(html);

        assertThat(extraction.report().shape()).isEqualTo(ExtractionReport.Shape.ACCORDION);
        assertThat(extraction.text()).isEqualTo("Q?\nA.\n");
    }
}
