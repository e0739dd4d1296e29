package dev.charlstm.ship;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of a Dockerfile reader to check one against the build: instructions by stage,
 * line continuations joined, comments dropped, ARG defaults substituted into COPY paths.
 */
record Dockerfile(List<Stage> stages) {

    record Instruction(String keyword, String args) {
        /** The arguments of the exec (JSON array) form, e.g. ENTRYPOINT ["a", "b"]. */
        List<String> execForm() {
            try {
                return new ObjectMapper().readValue(args, new TypeReference<List<String>>() {});
            } catch (IOException e) {
                throw new AssertionError(keyword + " is not in exec (JSON array) form: " + args, e);
            }
        }
    }

    record Stage(String from, String name, List<Instruction> instructions) {
        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }

        Instruction only(String keyword) {
            List<Instruction> found = all(keyword);
            if (found.size() != 1) {
                throw new AssertionError("expected one " + keyword + " in stage " + from + ", found " + found.size());
            }
            return found.get(0);
        }

        /** ARG defaults of this stage substituted for ${NAME} and $NAME. */
        String expand(String text) {
            Map<String, String> args = new HashMap<>();
            for (Instruction arg : all("ARG")) {
                String[] kv = arg.args().split("=", 2);
                args.put(kv[0].trim(), kv.length > 1 ? kv[1].trim() : "");
            }
            Matcher m = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)").matcher(text);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String name = m.group(1) != null ? m.group(1) : m.group(2);
                if (!args.containsKey(name)) {
                    throw new AssertionError("${" + name + "} in '" + text + "' has no ARG default in stage " + from);
                }
                m.appendReplacement(out, Matcher.quoteReplacement(args.get(name)));
            }
            return m.appendTail(out).toString();
        }
    }

    /** A COPY's flags (--from=...), sources and destination, split at whitespace. */
    record Copy(Map<String, String> flags, List<String> sources, String destination) {
        static Copy of(Instruction copy) {
            Map<String, String> flags = new HashMap<>();
            List<String> words = new ArrayList<>();
            for (String word : copy.args().trim().split("\\s+")) {
                if (word.startsWith("--")) {
                    String[] kv = word.substring(2).split("=", 2);
                    flags.put(kv[0], kv.length > 1 ? kv[1] : "");
                } else {
                    words.add(word);
                }
            }
            return new Copy(flags, words.subList(0, words.size() - 1), words.get(words.size() - 1));
        }
    }

    static Dockerfile read(Path file) throws IOException {
        List<Stage> stages = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        for (String raw : Files.readAllLines(file)) {
            String line = raw.strip();
            if (pending.isEmpty() && (line.isEmpty() || line.startsWith("#"))) {
                continue;
            }
            if (line.startsWith("#")) {
                continue; // a comment inside a continued instruction
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            pending.append(line);
            String[] parts = pending.toString().strip().split("\\s+", 2);
            pending.setLength(0);
            Instruction instruction = new Instruction(parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1] : "");
            if (instruction.keyword().equals("FROM")) {
                String[] from = instruction.args().split("\\s+(?i:as)\\s+");
                stages.add(new Stage(from[0].strip(), from.length > 1 ? from[1].strip() : null, new ArrayList<>()));
            } else if (stages.isEmpty()) {
                throw new AssertionError(file + ": " + instruction.keyword() + " before the first FROM");
            } else {
                stages.get(stages.size() - 1).instructions().add(instruction);
            }
        }
        return new Dockerfile(stages);
    }
}
