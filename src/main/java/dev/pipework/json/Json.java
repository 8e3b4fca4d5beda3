package dev.pipework.json;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict RFC 8259 JSON reader and writer.
 *
 * <p>Parsed values are {@link Map} (a {@link LinkedHashMap}, member order kept),
 * {@link List}, {@link String}, {@link Long} (integral literals that fit),
 * {@link Double} (everything else numeric), {@link Boolean} and {@code null}.
 */
public final class Json {

    /** Deeper nesting is rejected instead of risking a StackOverflowError. */
    static final int MAX_DEPTH = 512;

    private Json() {
    }

    // ------------------------------------------------------------------ reading

    /** Parses one complete JSON document; anything but whitespace after it is an error. */
    public static Object parse(String text) {
        if (text == null) {
            throw new JsonException("no JSON text (null)");
        }
        JsonParser p = new JsonParser(text);
        p.skipWhitespace();
        Object value = p.value(0);
        p.skipWhitespace();
        if (p.pos < text.length()) {
            throw new JsonException("unexpected trailing " + describe(text, p.pos), p.pos);
        }
        return value;
    }

    static String describe(String text, int pos) {
        if (pos >= text.length()) {
            return "end of input";
        }
        char c = text.charAt(pos);
        if (c < 0x20 || c == 0x7f) {
            return String.format("character U+%04X", (int) c);
        }
        return "character '" + c + "'";
    }

    // ------------------------------------------------------------------ writing

    /** Compact JSON text for {@code value}. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        new JsonWriter(sb, null).value(value, 0);
        return sb.toString();
    }

    /** JSON text for {@code value}, indented by two spaces per level. */
    public static String writePretty(Object value) {
        StringBuilder sb = new StringBuilder();
        new JsonWriter(sb, "  ").value(value, 0);
        return sb.toString();
    }

    /** {@code s} as a JSON string literal, quotes included. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2);
        JsonWriter.string(sb, s);
        return sb.toString();
    }

    // ------------------------------------------------------------------ typed access

    /** {@code value} as a JSON object; throws {@link JsonException} if it is anything else. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> object(Object value) {
        if (value instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new JsonException("expected a JSON object, got " + kind(value));
    }

    /** {@code value} as a JSON array; throws {@link JsonException} if it is anything else. */
    @SuppressWarnings("unchecked")
    public static List<Object> array(Object value) {
        if (value instanceof List<?> l) {
            return (List<Object>) l;
        }
        throw new JsonException("expected a JSON array, got " + kind(value));
    }

    /** Member {@code key} as a string; null when absent or JSON null, an error for other kinds. */
    public static String string(Map<String, ?> obj, String key) {
        Object v = obj.get(key);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw new JsonException("member \"" + key + "\": expected a string, got " + kind(v));
    }

    /** Member {@code key} as an integral number; absent, null, fractional or other kinds are errors. */
    public static long number(Map<String, ?> obj, String key) {
        Object v = obj.get(key);
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Integer i) {
            return i;
        }
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 0x1p63) {
            return d.longValue();
        }
        throw new JsonException("member \"" + key + "\": expected an integer, got " + kind(v));
    }

    /** Member {@code key} as a boolean; absent, null or other kinds are errors. */
    public static boolean bool(Map<String, ?> obj, String key) {
        Object v = obj.get(key);
        if (v instanceof Boolean b) {
            return b;
        }
        throw new JsonException("member \"" + key + "\": expected a boolean, got " + kind(v));
    }

    /**
     * Follows {@code keys} down from {@code root}: a key names an object member, or, on an
     * array, a decimal index. Returns null as soon as a step is absent or of the wrong kind.
     */
    public static Object at(Object root, String... keys) {
        Object cur = root;
        for (String key : keys) {
            if (cur instanceof Map<?, ?> m) {
                cur = m.get(key);
            } else if (cur instanceof List<?> l) {
                int idx;
                try {
                    idx = Integer.parseInt(key);
                } catch (NumberFormatException e) {
                    return null;
                }
                if (idx < 0 || idx >= l.size()) {
                    return null;
                }
                cur = l.get(idx);
            } else {
                return null;
            }
        }
        return cur;
    }

    private static String kind(Object v) {
        if (v == null) {
            return "null/absent";
        }
        if (v instanceof Map) {
            return "an object";
        }
        if (v instanceof List) {
            return "an array";
        }
        if (v instanceof String) {
            return "a string";
        }
        if (v instanceof Boolean) {
            return "a boolean";
        }
        if (v instanceof Number) {
            return "the number " + v;
        }
        return v.getClass().getName();
    }
}
