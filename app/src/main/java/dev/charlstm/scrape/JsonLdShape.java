package dev.charlstm.scrape;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads schema.org {@code FAQPage} JSON-LD: the page's own list of its questions and accepted
 * answers, free of any chrome, and so the most reliable source when a page has it. Answers may
 * hold HTML, which is read as the answers of any other shape are.
 */
final class JsonLdShape {

    private static final Logger log = LoggerFactory.getLogger(JsonLdShape.class);
    /** Lenient on purpose, unlike {@code io.Json}: a page's JSON-LD is whatever its authors wrote. */
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonLdShape() {}

    /** The entries of every FAQPage in {@code doc}; call before the page is cleaned of its scripts. */
    static List<Entry> read(Document doc, DropLog drops) {
        List<JsonNode> questions = new ArrayList<>();
        for (Element script : doc.select("script[type~=(?i)^\\s*application/ld\\+json\\s*$]")) {
            try {
                collectQuestions(JSON.readTree(script.data()), false, questions);
            } catch (JsonProcessingException e) {
                log.debug("Ignoring a JSON-LD block that is not valid JSON: {}", e.getOriginalMessage());
            }
        }
        List<Entry> entries = new ArrayList<>();
        for (JsonNode question : questions) {
            String name = TextLines.collapse(Jsoup.parseBodyFragment(question.path("name").asText("")).text());
            List<String> answer = new ArrayList<>();
            for (JsonNode accepted : asList(question.path("acceptedAnswer"))) {
                answer.addAll(answerLines(accepted.path("text").asText(""), drops));
            }
            Entry entry = new Entry(name, answer);
            if (!entry.isEmpty()) {
                entries.add(entry);
            }
        }
        return entries;
    }

    private static List<String> answerLines(String html, DropLog drops) {
        Document fragment = Jsoup.parseBodyFragment(html);
        PageCleaner.clean(fragment, drops);
        return EntryReader.answerLines(fragment.body(), drops);
    }

    /** Finds the Question objects of FAQPages, wherever they sit: top level, in arrays, in {@code @graph}. */
    private static void collectQuestions(JsonNode node, boolean inFaqPage, List<JsonNode> questions) {
        if (node.isArray()) {
            node.forEach(item -> collectQuestions(item, inFaqPage, questions));
        } else if (node.isObject()) {
            if (inFaqPage && hasType(node, "Question")) {
                questions.add(node);
                return;
            }
            boolean faqPage = hasType(node, "FAQPage");
            collectQuestions(node.path("@graph"), inFaqPage, questions);
            if (faqPage) {
                collectQuestions(node.path("mainEntity"), true, questions);
            }
        }
    }

    private static boolean hasType(JsonNode node, String type) {
        for (JsonNode t : asList(node.path("@type"))) {
            String name = t.asText("");
            if (name.equals(type) || name.endsWith("/" + type) || name.endsWith(":" + type)) {
                return true;
            }
        }
        return false;
    }

    private static List<JsonNode> asList(JsonNode node) {
        List<JsonNode> list = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(list::add);
        } else if (!node.isMissingNode() && !node.isNull()) {
            list.add(node);
        }
        return list;
    }
}
