package dev.pipework.json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The reader behind {@link Json#parse}: a recursive-descent parser of one JSON text. */
final class JsonParser {
    private final String s;
    int pos;

    JsonParser(String s) {
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
        return new JsonException(what + ", found " + Json.describe(s, pos), pos);
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
        if (depth > Json.MAX_DEPTH) {
            throw error("nesting deeper than " + Json.MAX_DEPTH);
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
        if (depth > Json.MAX_DEPTH) {
            throw error("nesting deeper than " + Json.MAX_DEPTH);
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
