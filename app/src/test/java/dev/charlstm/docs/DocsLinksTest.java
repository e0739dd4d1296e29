package dev.charlstm.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.charlstm.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README is short and sends readers to docs/: every relative link in README.md, CHANGELOG.md
 * and docs/*.md must reach a file that exists and, with a {@code #fragment}, a heading of that file.
 */
class DocsLinksTest {

    /** Markdown link targets, with an optional fragment; images and plain links alike. */
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s#]*)(?:#([^)\\s]*))?\\)");
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}\\s+(.+?)\\s*$");
    private static final Pattern FENCE = Pattern.compile("(?ms)^```.*?^```");

    @Test
    void everyRelativeLinkReachesAFileAndEveryFragmentAHeading() throws IOException {
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path doc : documents()) {
            Matcher m = LINK.matcher(FENCE.matcher(Files.readString(doc)).replaceAll(""));
            while (m.find()) {
                String target = m.group(1);
                String fragment = m.group(2);
                if (target.matches("[a-z]+:.*")) {
                    continue; // http:, https:, mailto:
                }
                checked++;
                Path file = target.isEmpty() ? doc : doc.getParent().resolve(target).normalize();
                if (!Files.exists(file)) {
                    broken.add(doc.getFileName() + ": " + m.group() + " (no such file)");
                } else if (fragment != null && file.toString().endsWith(".md")
                        && !anchors(Files.readString(file)).contains(fragment)) {
                    broken.add(doc.getFileName() + ": " + m.group() + " (no such heading)");
                }
            }
        }
        assertThat(checked).as("links checked").isGreaterThan(30);
        assertThat(broken).isEmpty();
    }

    @Test
    void theReadmeStaysShortAndGivesTheTwoCommands() throws IOException {
        String readme = Files.readString(Fixtures.PROJECT.resolve("README.md"));
        assertThat(readme.length()).as("README.md characters").isLessThan(12_000);
        assertThat(readme).contains("```\nmvn exec:java -Dexec.args=train\n```", "```\nmvn -B verify\n```");
    }

    @Test
    void anchorsAreGitHubsHeadingSlugs() {
        assertThat(anchors("## The sampling service\n## How `mvn exec:java` works here\n## CPU or GPU, 2x\n"))
                .containsExactly("the-sampling-service", "how-mvn-execjava-works-here", "cpu-or-gpu-2x");
    }

    private static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(Fixtures.PROJECT.resolve("README.md"),
                Fixtures.PROJECT.resolve("CHANGELOG.md")));
        try (Stream<Path> files = Files.list(Fixtures.PROJECT.resolve("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    /** GitHub's anchors: lower case, punctuation but hyphens and underscores dropped, spaces to hyphens. */
    static List<String> anchors(String markdown) {
        List<String> anchors = new ArrayList<>();
        Matcher m = HEADING.matcher(FENCE.matcher(markdown).replaceAll(""));
        while (m.find()) {
            anchors.add(m.group(1).toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
        }
        return anchors;
    }
}
