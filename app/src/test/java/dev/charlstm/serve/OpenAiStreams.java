package dev.charlstm.serve;

import java.util.ArrayList;
import java.util.List;

/** Reads OpenAI-style server-sent events: the payload of every {@code data:} line, in order. */
final class OpenAiStreams {

    private OpenAiStreams() {}

    static List<String> dataLines(String body) {
        List<String> data = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            for (String line : block.split("\n")) {
                if (line.startsWith("data: ")) {
                    data.add(line.substring(6));
                }
            }
        }
        return data;
    }
}
