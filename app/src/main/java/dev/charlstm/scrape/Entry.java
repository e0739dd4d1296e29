package dev.charlstm.scrape;

import java.util.ArrayList;
import java.util.List;

/** One question and its answer as corpus lines; the question is empty for an answer without one. */
record Entry(String question, List<String> answer) {

    Entry {
        answer = List.copyOf(answer);
    }

    boolean isEmpty() {
        return question.isEmpty() && answer.isEmpty();
    }

    /** The question line (if any), then the answer lines. */
    List<String> lines() {
        List<String> lines = new ArrayList<>();
        if (!question.isEmpty()) {
            lines.add(question);
        }
        lines.addAll(answer);
        return lines;
    }

    Entry withAnswer(List<String> newAnswer) {
        return new Entry(question, newAnswer);
    }
}
