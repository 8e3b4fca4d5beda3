package dev.pipework.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

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
        Parser p = new Parser(text);
        p.skipWhitespace();
        Object value = p.value(0);
        p.skipWhitespace();
        if (p.pos < text.length()) {
            throw new JsonException("unexpected trailing " + describe(text, p.pos), p.pos);
        }
        return value;
    }

    private static String describe(String text, int pos) {
        if (pos >= text.length()) {
            return "end of input";
        }
        char c = text.charAt(pos);
        if (c < 0x20 || c == 0x7f) {
            return String.format("character U+%04X", (int) c);
        }
        return "character '" + c + "'";
    }

    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        /** JSON whitespace is exactly these four; e.g. NBSP or form feed are not allowed. */
        void skipWhitespace() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                    pos++;
                } else {
                    return;
                }
            }
        }

        JsonException error(String what) {
            return new JsonException(what + ", found " + describe(s, pos), pos);
        }

        Object value(int depth) {
            if (pos >= s.length()) {
                throw error("expected a value");
            }
            char c = s.charAt(pos);
            switch (c) {
                case '{':
                    return object(depth + 1);
                case '[':
                    return array(depth + 1);
                case '"':
                    return string();
                case 't':
                    literal("true");
                    return Boolean.TRUE;
                case 'f':
                    literal("false");
                    return Boolean.FALSE;
                case 'n':
                    literal("null");
                    return null;
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return number();
                    }
                    throw error("expected a value");
            }
        }

        void literal(String word) {
            if (!s.startsWith(word, pos)) {
                throw error("expected '" + word + "'");
            }
            pos += word.length();
        }

        Map<String, Object> object(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nesting deeper than " + MAX_DEPTH);
            }
            pos++; // '{'
            Map<String, Object> map = new LinkedHashMap<>();
            skipWhitespace();
            if (pos < s.length() && s.charAt(pos) == '}') {
                pos++;
                return map;
            }
            while (true) {
                skipWhitespace();
                if (pos >= s.length() || s.charAt(pos) != '"') {
                    throw error("expected a member name string");
                }
                String key = string();
                skipWhitespace();
                if (pos >= s.length() || s.charAt(pos) != ':') {
                    throw error("expected ':'");
                }
                pos++;
                skipWhitespace();
                // Duplicate names: the last one wins, as with Go's encoding/json and JavaScript.
                map.put(key, value(depth));
                skipWhitespace();
                if (pos >= s.length()) {
                    throw error("expected ',' or '}'");
                }
                char c = s.charAt(pos++);
                if (c == '}') {
                    return map;
                }
                if (c != ',') {
                    pos--;
                    throw error("expected ',' or '}'");
                }
            }
        }

        List<Object> array(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("nesting deeper than " + MAX_DEPTH);
            }
            pos++; // '['
            List<Object> list = new ArrayList<>();
            skipWhitespace();
            if (pos < s.length() && s.charAt(pos) == ']') {
                pos++;
                return list;
            }
            while (true) {
                skipWhitespace();
                list.add(value(depth));
                skipWhitespace();
                if (pos >= s.length()) {
                    throw error("expected ',' or ']'");
                }
                char c = s.charAt(pos++);
                if (c == ']') {
                    return list;
                }
                if (c != ',') {
                    pos--;
                    throw error("expected ',' or ']'");
                }
            }
        }

        String string() {
            pos++; // opening quote
            StringBuilder sb = null;
            int runStart = pos;
            while (true) {
                if (pos >= s.length()) {
                    throw new JsonException("unterminated string", pos);
                }
                char c = s.charAt(pos);
                if (c == '"') {
                    String result = sb == null
                            ? s.substring(runStart, pos)
                            : sb.append(s, runStart, pos).toString();
                    pos++;
                    return result;
                }
                if (c < 0x20) {
                    throw error("unescaped control character in string");
                }
                if (c != '\\') {
                    pos++;
                    continue;
                }
                if (sb == null) {
                    sb = new StringBuilder();
                }
                sb.append(s, runStart, pos);
                pos++;
                if (pos >= s.length()) {
                    throw new JsonException("unterminated escape sequence", pos);
                }
                char e = s.charAt(pos);
                switch (e) {
                    case '"': sb.append('"'); break;
                    case '\\': sb.append('\\'); break;
                    case '/': sb.append('/'); break;
                    case 'b': sb.append('\b'); break;
                    case 'f': sb.append('\f'); break;
                    case 'n': sb.append('\n'); break;
                    case 'r': sb.append('\r'); break;
                    case 't': sb.append('\t'); break;
                    case 'u':
                        // A surrogate pair arrives as two consecutive \\uXXXX escapes; appending
                        // both UTF-16 units in order rebuilds the supplementary code point.
                        // A lone surrogate is grammatically valid JSON and is kept as is.
                        sb.append(hex4(pos + 1));
                        pos += 4;
                        break;
                    default:
                        throw error("invalid escape sequence");
                }
                pos++;
                runStart = pos;
            }
        }

        char hex4(int at) {
            int v = 0;
            for (int i = at; i < at + 4; i++) {
                if (i >= s.length()) {
                    pos = i;
                    throw new JsonException("truncated \\u escape", pos);
                }
                char h = s.charAt(i);
                int d = h <= 'f' ? Character.digit(h, 16) : -1;
                if (d < 0) {
                    pos = i;
                    throw error("invalid hex digit in \\u escape");
                }
                v = (v << 4) | d;
            }
            return (char) v;
        }

        Object number() {
            int start = pos;
            boolean integral = true;
            if (s.charAt(pos) == '-') {
                pos++;
            }
            if (pos >= s.length()) {
                throw error("expected a digit");
            }
            char c = s.charAt(pos);
            if (c == '0') {
                pos++;
                // Leading zeros ("01") are not JSON.
                if (pos < s.length() && isDigit(s.charAt(pos))) {
                    throw error("leading zero in number");
                }
            } else if (c >= '1' && c <= '9') {
                digits();
            } else {
                throw error("expected a digit");
            }
            if (pos < s.length() && s.charAt(pos) == '.') {
                integral = false;
                pos++;
                if (pos >= s.length() || !isDigit(s.charAt(pos))) {
                    throw error("expected a digit after '.'");
                }
                digits();
            }
            if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                integral = false;
                pos++;
                if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                    pos++;
                }
                if (pos >= s.length() || !isDigit(s.charAt(pos))) {
                    throw error("expected a digit in exponent");
                }
                digits();
            }
            String literal = s.substring(start, pos);
            if (integral) {
                try {
                    return Long.parseLong(literal);
                } catch (NumberFormatException tooBig) {
                    // falls through to Double
                }
            }
            return Double.parseDouble(literal);
        }

        void digits() {
            while (pos < s.length() && isDigit(s.charAt(pos))) {
                pos++;
            }
        }

        static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }
    }

    // ------------------------------------------------------------------ writing

    /** Compact JSON text for {@code value}. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        new Writer(sb, null).value(value, 0);
        return sb.toString();
    }

    /** JSON text for {@code value}, indented by two spaces per level. */
    public static String writePretty(Object value) {
        StringBuilder sb = new StringBuilder();
        new Writer(sb, "  ").value(value, 0);
        return sb.toString();
    }

    /** {@code s} as a JSON string literal, quotes included. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2);
        Writer.string(sb, s);
        return sb.toString();
    }

    private record Writer(StringBuilder out, String indent) {

        void value(Object v, int depth) {
            if (depth > MAX_DEPTH) {
                throw new JsonException("value nested deeper than " + MAX_DEPTH + " (cyclic?)");
            }
            if (v == null) {
                out.append("null");
            } else if (v instanceof String || v instanceof Character) {
                string(out, v.toString());
            } else if (v instanceof Boolean) {
                out.append(v);
            } else if (v instanceof Number n) {
                number(n);
            } else if (v instanceof Map<?, ?> m) {
                map(m, depth);
            } else if (v instanceof Collection<?> c) {
                array(c, depth);
            } else if (v instanceof Object[] a) {
                array(Arrays.asList(a), depth);
            } else {
                throw new JsonException("cannot write " + v.getClass().getName() + " as JSON");
            }
        }

        void number(Number n) {
            if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte
                    || n instanceof BigInteger || n instanceof AtomicInteger || n instanceof AtomicLong) {
                out.append(n);
            } else if (n instanceof BigDecimal d) {
                // BigDecimal.toString may use "1E+3", which is valid JSON.
                out.append(d);
            } else {
                double d = n.doubleValue();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    throw new JsonException("JSON has no representation for " + d);
                }
                // Double.toString yields "1.0", "1.0E10", "1.0E-5": all valid JSON numbers.
                out.append(d);
            }
        }

        void map(Map<?, ?> m, int depth) {
            if (m.isEmpty()) {
                out.append("{}");
                return;
            }
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new JsonException("JSON object keys must be strings, got "
                            + (e.getKey() == null ? "null" : e.getKey().getClass().getName()));
                }
                if (!first) {
                    out.append(',');
                }
                first = false;
                newline(depth + 1);
                string(out, key);
                out.append(indent == null ? ":" : ": ");
                value(e.getValue(), depth + 1);
            }
            newline(depth);
            out.append('}');
        }

        void array(Collection<?> c, int depth) {
            if (c.isEmpty()) {
                out.append("[]");
                return;
            }
            out.append('[');
            boolean first = true;
            for (Object item : c) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                newline(depth + 1);
                value(item, depth + 1);
            }
            newline(depth);
            out.append(']');
        }

        void newline(int depth) {
            if (indent != null) {
                out.append('\n');
                out.append(indent.repeat(depth));
            }
        }

        static void string(StringBuilder out, String s) {
            out.append('"');
            int n = s.length();
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"': out.append("\\\""); break;
                    case '\\': out.append("\\\\"); break;
                    case '\b': out.append("\\b"); break;
                    case '\f': out.append("\\f"); break;
                    case '\n': out.append("\\n"); break;
                    case '\r': out.append("\\r"); break;
                    case '\t': out.append("\\t"); break;
                    default:
                        if (c < 0x20 || c == 0x7f) {
                            unicodeEscape(out, c);
                        } else if (Character.isSurrogate(c)) {
                            // A well-formed pair is copied; a lone surrogate has no UTF-8 encoding
                            // (it would turn into '?' on the wire), so it is escaped instead.
                            if (Character.isHighSurrogate(c) && i + 1 < n
                                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                                out.append(c).append(s.charAt(++i));
                            } else {
                                unicodeEscape(out, c);
                            }
                        } else {
                            out.append(c);
                        }
                }
            }
            out.append('"');
        }

        static void unicodeEscape(StringBuilder out, char c) {
            out.append("\\u");
            String hex = Integer.toHexString(c);
            out.append("0".repeat(4 - hex.length())).append(hex);
        }
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
