package dev.charlstm.scrape;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Drops what recurs around the answers rather than in them, whatever its markup: "Last updated …"
 * stamps, and widgets repeated at the start or end of many answers (feedback, share, print,
 * back-to-top).
 *
 * <p>A line is repeated boilerplate when, dates and numbers aside, the same line appears in at least
 * {@value #MIN_REPEATS} answers and in at least half of them, and it sits at the edge of the
 * answer, among other such lines. The same line amid an answer's own text is kept, and so is
 * the first line of an answer made of nothing else.
 */
final class Boilerplate {

    static final int MIN_REPEATS = 3;

    /** Widgets are short; a long paragraph that recurs is more likely a real, repeated answer. */
    private static final int MAX_CHARS = 160;

    private static final Pattern DIGITS = Pattern.compile("\\d+");
    private static final Pattern MONTHS = Pattern.compile(
            "\\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\b");

    private Boilerplate() {}

    static List<Entry> strip(List<Entry> entries, DropLog drops) {
        List<Entry> withoutStamps = new ArrayList<>();
        for (Entry entry : entries) {
            List<String> kept = new ArrayList<>();
            for (String line : entry.answer()) {
                if (Stamp.matches(line)) {
                    drops.add(ChromeRule.STAMP, line);
                } else {
                    kept.add(line);
                }
            }
            withoutStamps.add(entry.withAnswer(kept));
        }
        return stripRepeated(withoutStamps, drops);
    }

    private static List<Entry> stripRepeated(List<Entry> entries, DropLog drops) {
        Map<String, Integer> answersWith = new HashMap<>();
        int answered = 0;
        for (Entry entry : entries) {
            if (!entry.answer().isEmpty()) {
                answered++;
            }
            Set<String> seen = new HashSet<>();
            for (String line : entry.answer()) {
                if (line.length() <= MAX_CHARS && seen.add(key(line))) {
                    answersWith.merge(key(line), 1, Integer::sum);
                }
            }
        }
        int threshold = Math.max(MIN_REPEATS, (answered + 1) / 2);
        Set<String> repeated = new HashSet<>();
        answersWith.forEach((key, n) -> {
            if (n >= threshold) {
                repeated.add(key);
            }
        });
        // A line counts only where it sits at an answer's edge: the same line amid an answer's own
        // text in other entries must not take it away from the one answer where it comes last.
        while (true) {
            Map<String, Integer> atEdge = new HashMap<>();
            for (Entry entry : entries) {
                List<String> answer = entry.answer();
                int[] core = core(answer, repeated);
                Set<String> seen = new HashSet<>();
                for (int i = 0; i < answer.size(); i++) {
                    if ((i < core[0] || i >= core[1]) && seen.add(key(answer.get(i)))) {
                        atEdge.merge(key(answer.get(i)), 1, Integer::sum);
                    }
                }
            }
            boolean changed = repeated.removeIf(key -> atEdge.getOrDefault(key, 0) < threshold);
            if (!changed) {
                break;
            }
        }
        if (repeated.isEmpty()) {
            return entries;
        }
        Map<String, String> firstText = new LinkedHashMap<>();
        Map<String, Integer> dropped = new HashMap<>();
        List<Entry> stripped = new ArrayList<>();
        for (Entry entry : entries) {
            List<String> answer = entry.answer();
            int[] core = core(answer, repeated);
            for (int i = 0; i < answer.size(); i++) {
                if (i < core[0] || i >= core[1]) {
                    count(answer.get(i), firstText, dropped);
                }
            }
            stripped.add(entry.withAnswer(answer.subList(core[0], core[1])));
        }
        firstText.forEach((key, text) -> drops.add(ChromeRule.REPEATED, text, dropped.get(key)));
        return stripped;
    }

    /**
     * The range [from, to) of {@code answer} left once repeated lines are taken off both ends. One
     * line always stays: an answer that is all "repeated" lines is a short answer that many
     * questions share ("Yes."), not a widget.
     */
    private static int[] core(List<String> answer, Set<String> repeated) {
        int from = 0;
        int to = answer.size();
        while (to > from + 1 && repeated.contains(key(answer.get(to - 1)))) {
            to--;
        }
        while (from < to - 1 && repeated.contains(key(answer.get(from)))) {
            from++;
        }
        return new int[] {from, to};
    }

    private static void count(String line, Map<String, String> firstText, Map<String, Integer> dropped) {
        String key = key(line);
        firstText.putIfAbsent(key, line);
        dropped.merge(key, 1, Integer::sum);
    }

    /** The line with case, numbers and month names set aside, so "Updated May 3" matches "Updated June 10". */
    private static String key(String line) {
        String lower = line.toLowerCase(Locale.ROOT);
        return MONTHS.matcher(DIGITS.matcher(lower).replaceAll("0")).replaceAll("M");
    }
}
