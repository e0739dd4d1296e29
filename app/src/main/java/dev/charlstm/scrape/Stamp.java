package dev.charlstm.scrape;

import java.util.regex.Pattern;

/**
 * Recognises "Last updated …" stamps by what they say: "Last updated: March 3", "Updated 3/1",
 * "Last modified by Housing". "Updated guidance says..." is a sentence, not a stamp.
 */
final class Stamp {

    private static final int MAX_CHARS = 80;

    private static final String MONTH = "(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\.?";

    private static final Pattern STAMP = Pattern.compile(
            "(?i)(last\\s+(updated|modified|revised|reviewed)\\b.*"
                    + "|(updated|modified|revised|reviewed|posted)(\\s*(:|\\bon\\b|\\bby\\b|\\d|" + MONTH + "\\b).*)?)");

    private Stamp() {}

    static boolean matches(String line) {
        return line.length() <= MAX_CHARS && STAMP.matcher(line).matches();
    }
}
