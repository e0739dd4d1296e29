package dev.charlstm.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.charlstm.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/how-it-works.md honest: every link into the code points at a file that exists and,
 * when it names a method, at a file that still declares that method (or constructor, record
 * component or field). Renaming a method the walkthrough explains makes this test fail.
 */
class HowItWorksLinksTest {

    private static final Path DOCS = Fixtures.PROJECT.resolve("docs");
    private static final Path DOC = DOCS.resolve("how-it-works.md");

    /** {@code (../app/src/main/java/dev/charlstm/x/Y.java)} or {@code (...Y.java#name)}; or in {@code ../generate/}. */
    private static final Pattern CODE_LINK =
            Pattern.compile("\\]\\((\\.\\./(?:app|generate)/src/main/java/[^)\\s#]+\\.java)(?:#([^)\\s]*))?\\)");
    /** Any markdown link target that mentions the source tree, checked form or not. */
    private static final Pattern ANY_SOURCE_LINK = Pattern.compile("\\]\\(([^)\\s]*src/main/java[^)\\s]*)\\)");
    private static final Pattern MARKDOWN_IMAGE = Pattern.compile("!\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final Pattern HTML_IMAGE = Pattern.compile("<img\\s[^>]*src=\"([^\"]+)\"");
    private static final Pattern JAVA_IDENTIFIER = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*");

    private static final String ANNOTATIONS = "(?:@[\\w.]+(?:\\([^()]*\\))?\\s+)*";
    private static final String MODIFIERS = "(?:(?:public|protected|private|static|final|abstract|synchronized"
            + "|native|default|strictfp|transient|volatile|sealed|non-sealed)\\s+)*";
    private static final String TYPE_PARAMETERS = "(?:<[^;{}()=]*>\\s+)?";
    private static final String TYPE = "(?<type>[\\w.$]+(?:\\s*<[^;{}()=]*>)?(?:\\s*\\[\\])*)";
    private static final Set<String> NOT_TYPES = Set.of("return", "new", "throw", "else", "case", "yield", "assert");

    record CodeLink(String text, Path file, String anchor) {}

    @Test
    void theDocLinksToAtLeastFifteenPlacesInTheCode() throws IOException {
        assertThat(codeLinks()).hasSizeGreaterThanOrEqualTo(15);
    }

    @Test
    void everyLinkIntoTheSourceTreeUsesTheCheckedForm() throws IOException {
        Matcher m = ANY_SOURCE_LINK.matcher(doc());
        List<String> unchecked = new ArrayList<>();
        while (m.find()) {
            if (!CODE_LINK.matcher("](" + m.group(1) + ")").matches()) {
                unchecked.add(m.group(1));
            }
        }
        assertThat(unchecked)
                .as("links into src/main/java must look like ../app/src/main/java/<path>.java or ...java#<name>")
                .isEmpty();
    }

    @Test
    void everyLinkedSourceFileExists() throws IOException {
        for (CodeLink link : codeLinks()) {
            assertThat(link.file()).as(link.text()).isRegularFile();
        }
    }

    @Test
    void everyAnchorNamesADeclarationInItsFile() throws IOException {
        List<String> broken = new ArrayList<>();
        for (CodeLink link : codeLinks()) {
            if (link.anchor() == null) {
                continue;
            }
            if (!JAVA_IDENTIFIER.matcher(link.anchor()).matches()) {
                broken.add(link.text() + " (the anchor is not a Java name)");
            } else if (!Files.isRegularFile(link.file())
                    || !declares(Files.readString(link.file()), link.anchor())) {
                broken.add(link.text() + " (" + link.file() + " declares no " + link.anchor() + ")");
            }
        }
        assertThat(broken).as("links whose method, constructor, record component or field is gone").isEmpty();
    }

    @Test
    void everyImageExistsUnderDocsAndIsSmall() throws IOException {
        String doc = doc();
        List<String> images = new ArrayList<>();
        for (Pattern p : List.of(MARKDOWN_IMAGE, HTML_IMAGE)) {
            Matcher m = p.matcher(doc);
            while (m.find()) {
                images.add(m.group(1));
            }
        }
        assertThat(images).as("pictures in the walkthrough").isNotEmpty();
        for (String image : images) {
            Path file = DOCS.resolve(image).normalize();
            assertThat(file.startsWith(DOCS)).as(image + " lies under docs/").isTrue();
            assertThat(file).as(image).isRegularFile();
            assertThat(Files.size(file)).as(image + " size in bytes").isLessThan(300_000);
        }
    }

    @Test
    void theDeclarationCheckTellsDeclarationsFromUses() {
        String source = """
                package x;

                /** Mentions helper() and ghost() in a comment. */
                public final class Sample {
                    private final int[] counts = new int[3];
                    @JsonProperty("label") String label;
                    static final java.util.Map<String, java.util.List<Integer>> TABLE = null;

                    Sample(int n) {
                        helper(n);
                    }

                    public static <T> java.util.List<T> listOf(T... items) {
                        return java.util.List.of(items);
                    }

                    private java.util.Map<String, java.util.List<Integer>> nested() throws Exception {
                        String s = "fake(";
                        int local = unused(1);
                        return null;
                    }

                    record Point(@JsonProperty("x") double x, double y) {}

                    void run() {
                        Runnable r = () -> {
                            int inner = 2;
                        };
                        if (Sample.class != null) {
                            int afterClassLiteral = 3;
                        }
                    }
                }
                """;
        for (String declared : List.of("counts", "label", "TABLE", "Sample", "listOf", "nested", "x", "y", "run",
                "Point")) {
            assertThat(declares(source, declared)).as(declared).isTrue();
        }
        for (String notDeclared : List.of("helper", "ghost", "fake", "unused", "local", "inner",
                "afterClassLiteral", "missing", "s", "r")) {
            assertThat(declares(source, notDeclared)).as(notDeclared).isFalse();
        }
    }

    private static String doc() throws IOException {
        assertThat(DOC).isRegularFile();
        return Files.readString(DOC);
    }

    private static List<CodeLink> codeLinks() throws IOException {
        List<CodeLink> links = new ArrayList<>();
        Matcher m = CODE_LINK.matcher(doc());
        while (m.find()) {
            links.add(new CodeLink(m.group(), DOCS.resolve(m.group(1)).normalize(), m.group(2)));
        }
        return links;
    }

    /**
     * Whether {@code source} declares {@code name} as a method, field or record component directly
     * in a class, record, enum or interface body, or as a type (whose constructors carry its name);
     * a local variable, a call, or text in a comment or string does not count.
     */
    static boolean declares(String source, String name) {
        String code = blankCommentsAndLiterals(source);
        boolean[] inTypeBody = typeBodyMap(code);
        String n = Pattern.quote(name);
        String start = "(?m)^[ \\t]*" + ANNOTATIONS + MODIFIERS;
        Pattern method = Pattern.compile(start + TYPE_PARAMETERS + TYPE + "\\s+(?<name>" + n + ")\\s*\\(");
        Pattern field = Pattern.compile(start + TYPE + "\\s+(?<name>" + n + ")\\s*[=;,]");
        for (Pattern p : List.of(method, field)) {
            Matcher m = p.matcher(code);
            while (m.find()) {
                if (inTypeBody[m.start("name")] && !NOT_TYPES.contains(m.group("type"))) {
                    return true;
                }
            }
        }
        // A constructor carries its type's name, and every type has one (a record's is its header).
        if (Pattern.compile("(?<![.\\w])(?:class|record|enum|interface)\\s+" + n + "\\b").matcher(code).find()) {
            return true;
        }
        Matcher record = Pattern.compile("(?<![.\\w])record\\s+\\w+\\s*(?:<[^>]*>)?\\s*\\(").matcher(code);
        while (record.find()) {
            for (String component : topLevelParts(code, record.end())) {
                Matcher last = Pattern.compile("(\\w+)\\s*$").matcher(component);
                if (last.find() && last.group(1).equals(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The comma-separated parts of a parenthesised list whose contents start at {@code from}. */
    private static List<String> topLevelParts(String code, int from) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int partStart = from;
        for (int i = from; i < code.length(); i++) {
            char c = code.charAt(i);
            if (c == '(' || c == '<') {
                depth++;
            } else if ((c == ')' || c == '>') && depth > 0) {
                depth--;
            } else if (c == ')' || c == ',') { // at depth 0 here
                parts.add(code.substring(partStart, i));
                partStart = i + 1;
                if (c == ')') {
                    break;
                }
            }
        }
        return parts;
    }

    /**
     * For every position, whether the innermost enclosing brace opens the body of a type (a class,
     * record, enum, interface or anonymous class) rather than a method, lambda, block or array.
     */
    private static boolean[] typeBodyMap(String code) {
        boolean[] map = new boolean[code.length() + 1];
        Deque<Boolean> braces = new ArrayDeque<>();
        Pattern typeHeader = Pattern.compile("(?<![.\\w])(?:class|record|enum|interface)\\s+\\w+");
        Pattern anonymous = Pattern.compile("\\bnew\\s+[\\w.<>,\\s]+\\([^;{}]*\\)\\s*$");
        int statementStart = 0;
        for (int i = 0; i < code.length(); i++) {
            char c = code.charAt(i);
            map[i] = !braces.isEmpty() && braces.peek();
            if (c == '{') {
                String header = code.substring(statementStart, i);
                braces.push(typeHeader.matcher(header).find() || anonymous.matcher(header).find());
                statementStart = i + 1;
            } else if (c == '}') {
                braces.poll();
                statementStart = i + 1;
            } else if (c == ';') {
                statementStart = i + 1;
            }
        }
        return map;
    }

    /** Replaces comments and the insides of string, text-block and char literals with spaces. */
    private static String blankCommentsAndLiterals(String source) {
        StringBuilder out = new StringBuilder(source);
        int i = 0;
        while (i < source.length()) {
            if (source.startsWith("//", i)) {
                int end = source.indexOf('\n', i);
                i = blank(out, i, end < 0 ? source.length() : end);
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                i = blank(out, i, end < 0 ? source.length() : end + 2);
            } else if (source.startsWith("\"\"\"", i)) {
                int end = source.indexOf("\"\"\"", i + 3);
                blank(out, i + 3, end < 0 ? source.length() : end);
                i = end < 0 ? source.length() : end + 3;
            } else if (source.charAt(i) == '"' || source.charAt(i) == '\'') {
                char quote = source.charAt(i);
                int j = i + 1;
                while (j < source.length() && source.charAt(j) != quote && source.charAt(j) != '\n') {
                    j += source.charAt(j) == '\\' ? 2 : 1;
                }
                blank(out, i + 1, Math.min(j, source.length()));
                i = j + 1;
            } else {
                i++;
            }
        }
        return out.toString();
    }

    private static int blank(StringBuilder out, int from, int to) {
        for (int k = from; k < to; k++) {
            if (out.charAt(k) != '\n') {
                out.setCharAt(k, ' ');
            }
        }
        return to;
    }
}
