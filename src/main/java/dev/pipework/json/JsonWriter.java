package dev.pipework.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** The writer behind {@link Json#write} and {@link Json#writePretty}; {@code indent} empty for compact text. */
record JsonWriter(StringBuilder out, String indent) {

    void value(Object v, int depth) {
        if (depth > Json.MAX_DEPTH) {
            throw new JsonException("value nested deeper than " + Json.MAX_DEPTH + " (cyclic?)");
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
