package dev.charlstm.corpus;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Turns the {@code corpus} setting of a training configuration into a {@link SourceText}. Training
 * asks for the text only when it needs it (a resumed run reads the copy it saved instead), so the
 * caller chooses what a setting may name: {@link #FILES} reads files, and the command line adds the
 * live FAQ page and URLs.
 *
 * @param <E> what reading may throw besides {@link IOException}, e.g. a scraper's exception
 */
@FunctionalInterface
public interface TextSource<E extends Exception> {

    /**
     * The text a setting names.
     *
     * @throws IllegalArgumentException when the setting names nothing readable
     */
    SourceText read(String setting) throws IOException, E;

    /** Files only: a setting is a path to a UTF-8 text file ({@link SourceText#readFile}). */
    TextSource<RuntimeException> FILES = setting -> {
        if (setting.equals("default") || setting.startsWith("http://") || setting.startsWith("https://")) {
            throw new IllegalArgumentException("corpus '" + setting + "' is a page to scrape, and this caller "
                    + "reads text files only; run 'charlstm train' or give a file");
        }
        return SourceText.readFile(Path.of(setting));
    };
}
