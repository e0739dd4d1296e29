package dev.charlstm.scrape;

import static org.assertj.core.api.Assertions.assertThat;

import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

/** How HTML becomes corpus lines: which elements end a line, which only separate words, what whitespace becomes. */
class TextLinesTest {

    private static Element body(String html) {
        return Jsoup.parseBodyFragment(html).body();
    }

    @Test
    void everyBlockIsALineAndInlineMarkupStaysWithinIt() {
        Element body = body("<h2>Do I need a <em>test</em>?</h2>"
                + "<p>Yes, <a href='/t'>book one</a> at <strong>any</strong> site.</p>"
                + "<ul><li>first</li><li>second <span>item</span></li></ul>"
                + "<div>outer <div>inner</div> tail</div>");
        assertThat(TextLines.of(body)).containsExactly(
                "Do I need a test?", "Yes, book one at any site.", "first", "second item", "outer", "inner", "tail");
    }

    @Test
    void aLineBreakOrATableCellSeparatesWordsWithoutEndingTheLine() {
        Element body = body("<p>one<br>two</p><table><tr><td>cell</td><td>next</td></tr>"
                + "<tr><th>head</th><td>row two</td></tr></table>");
        assertThat(TextLines.of(body)).containsExactly("one two", "cell next", "head row two");
    }

    @Test
    void whitespaceOfEveryKindCollapsesToOneSpaceAndEmptyBlocksVanish() {
        Element body = body("<p>  a\t\n b\u00a0\u00a0c\u2003d\u3000e  </p><p> \u00a0 </p><div></div><p>f</p>");
        assertThat(TextLines.of(body)).containsExactly("a b c d e", "f");
    }

    @Test
    void typographicCharactersAreKeptAsTheyAre() {
        assertThat(TextLines.of(body("<p>Don\u2019t wait \u2014 20\u201330 minutes\u2026</p>")))
                .containsExactly("Don\u2019t wait \u2014 20\u201330 minutes\u2026");
    }

    @Test
    void flatJoinsAllTheTextWithBlocksSeparatedBySpaces() {
        Element root = body("<div><p>Question<b>?</b></p><p>Answer</p><ul><li>one</li><li>two</li></ul></div>")
                .child(0);
        assertThat(TextLines.flat(root)).isEqualTo("Question? Answer one two");
    }

    @Test
    void flatLeavesOutWhatTheFilterSkipsButKeepsTheWordsApart() {
        Element root = body("<div>Keep<button class='x'>Expand answer</button>this<span class='x'>not</span>too</div>")
                .child(0);
        assertThat(TextLines.flat(root, e -> e.hasClass("x"))).isEqualTo("Keep this too");
        assertThat(TextLines.flat(root)).isEqualTo("KeepExpand answerthisnottoo");
    }

    @Test
    void collapseTrimsBothEndsAndHandlesCharactersOutsideTheBasicPlane() {
        assertThat(TextLines.collapse("")).isEmpty();
        assertThat(TextLines.collapse(" \t\n ")).isEmpty();
        assertThat(TextLines.collapse("\u2002x\u2002\u2002y\u2002")).isEqualTo("x y");
        assertThat(TextLines.collapse("\ud83d\ude00  \ud83d\ude01")).isEqualTo("\ud83d\ude00 \ud83d\ude01");
    }

    @Test
    void isInlineKnowsLinkAndEmphasisFromBlocks() {
        Element body = body("<a>x</a><span>y</span><p>z</p><div>w</div><li>v</li>");
        assertThat(body.children()).extracting(TextLines::isInline).containsExactly(true, true, false, false, false);
    }
}
