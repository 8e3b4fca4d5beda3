package dev.pipework.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    private static Map<String, Object> obj(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static List<Object> arr(Object... items) {
        return new ArrayList<>(Arrays.asList(items));
    }

    static Stream<Arguments> validDocuments() {
        return Stream.of(
                Arguments.of("null", null),
                Arguments.of("true", true),
                Arguments.of(" false ", false),
                Arguments.of("0", 0L),
                Arguments.of("-0", 0L),
                Arguments.of("42", 42L),
                Arguments.of("-17", -17L),
                Arguments.of("9223372036854775807", Long.MAX_VALUE),
                Arguments.of("-9223372036854775808", Long.MIN_VALUE),
                Arguments.of("9223372036854775808", 9.223372036854775808e18),
                Arguments.of("1.5", 1.5),
                Arguments.of("-0.25", -0.25),
                Arguments.of("1e3", 1000.0),
                Arguments.of("1E+3", 1000.0),
                Arguments.of("2.5e-3", 0.0025),
                Arguments.of("10.0", 10.0),
                Arguments.of("\"\"", ""),
                Arguments.of("\"abc\"", "abc"),
                Arguments.of("\"a\\\"b\\\\c\\/d\"", "a\"b\\c/d"),
                Arguments.of("\"\\b\\f\\n\\r\\t\"", "\b\f\n\r\t"),
                Arguments.of("\"\\u0041\\u00e9\\u00E9\"", "A\u00e9\u00e9"),
                Arguments.of("\"\\ud83d\\ude00\"", "\uD83D\uDE00"),
                Arguments.of("\"\uD83D\uDE00 raw\"", "\uD83D\uDE00 raw"),
                Arguments.of("\"\\ud800\"", "\uD800"),
                Arguments.of("\"\\u0000\"", "\u0000"),
                Arguments.of("[]", arr()),
                Arguments.of("[ ]", arr()),
                Arguments.of("{}", obj()),
                Arguments.of("{ }", obj()),
                Arguments.of("[1,\"two\",null,true,[],{}]", arr(1L, "two", null, true, arr(), obj())),
                Arguments.of("\t\r\n {\"a\" : 1 , \"b\":[ 2 ,3 ] }\n", obj("a", 1L, "b", arr(2L, 3L))),
                Arguments.of("{\"a\":1,\"a\":2}", obj("a", 2L)),
                Arguments.of("{\"Name\":\"/con1\",\"State\":{\"Pid\":1234,\"Running\":true}}",
                        obj("Name", "/con1", "State", obj("Pid", 1234L, "Running", true))));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("validDocuments")
    void parsesValidDocuments(String text, Object expected) {
        Object actual = Json.parse(text);
        assertEquals(expected, actual);
        if (expected != null && !(expected instanceof Map) && !(expected instanceof List)) {
            assertEquals(expected.getClass(), actual.getClass());
        }
    }

    static Stream<Arguments> invalidDocuments() {
        return Stream.of(
                Arguments.of("", 0),
                Arguments.of("   ", 3),
                Arguments.of("nul", 0),
                Arguments.of("True", 0),
                Arguments.of("NaN", 0),
                Arguments.of("Infinity", 0),
                Arguments.of("+1", 0),
                Arguments.of("01", 1),
                Arguments.of("-", 1),
                Arguments.of("-a", 1),
                Arguments.of("1.", 2),
                Arguments.of(".5", 0),
                Arguments.of("1e", 2),
                Arguments.of("1e+", 3),
                Arguments.of("0x10", 1),
                Arguments.of("\"abc", 4),
                Arguments.of("\"a\nb\"", 2),
                Arguments.of("\"\\x\"", 2),
                Arguments.of("\"\\u12\"", 5),
                Arguments.of("\"\\u12g4\"", 5),
                Arguments.of("\"\\u\uFF11234\"", 3),
                Arguments.of("\"\\", 2),
                Arguments.of("'a'", 0),
                Arguments.of("[", 1),
                Arguments.of("[1", 2),
                Arguments.of("[1,]", 3),
                Arguments.of("[1 2]", 3),
                Arguments.of("[,1]", 1),
                Arguments.of("{", 1),
                Arguments.of("{\"a\"}", 4),
                Arguments.of("{\"a\":}", 5),
                Arguments.of("{\"a\":1,}", 7),
                Arguments.of("{a:1}", 1),
                Arguments.of("{\"a\":1 \"b\":2}", 7),
                Arguments.of("{1:2}", 1),
                Arguments.of("[1]]", 3),
                Arguments.of("{} {}", 3),
                Arguments.of("1 2", 2),
                Arguments.of("true false", 5),
                Arguments.of("\u00a01", 0),
                Arguments.of("\f1", 0),
                Arguments.of("[1]\u0000", 3));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("invalidDocuments")
    void rejectsInvalidDocuments(String text, int offset) {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(text));
        assertEquals(offset, e.offset(), e.getMessage());
        assertTrue(e.getMessage().contains("offset " + offset), e.getMessage());
    }

    @Test
    void rejectsNull() {
        assertThrows(JsonException.class, () -> Json.parse(null));
    }

    @Test
    void rejectsExcessiveNesting() {
        String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        assertThrows(JsonException.class, () -> Json.parse(deep));
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertInstanceOf(List.class, Json.parse(ok));
    }

    @Test
    void numberTypes() {
        assertInstanceOf(Long.class, Json.parse("7"));
        assertInstanceOf(Double.class, Json.parse("7.0"));
        assertInstanceOf(Double.class, Json.parse("7e0"));
        assertInstanceOf(Double.class, Json.parse("123456789012345678901234567890"));
    }

    @Test
    void objectsKeepMemberOrder() {
        Map<String, Object> m = Json.object(Json.parse("{\"z\":1,\"a\":2,\"m\":3}"));
        assertEquals(List.of("z", "a", "m"), new ArrayList<>(m.keySet()));
        assertInstanceOf(LinkedHashMap.class, m);
    }

    static Stream<Arguments> writes() {
        return Stream.of(
                Arguments.of(null, "null"),
                Arguments.of(true, "true"),
                Arguments.of(12, "12"),
                Arguments.of(-12L, "-12"),
                Arguments.of((short) 3, "3"),
                Arguments.of(new BigInteger("123456789012345678901234567890"), "123456789012345678901234567890"),
                Arguments.of(new BigDecimal("1.50"), "1.50"),
                Arguments.of(1.5, "1.5"),
                Arguments.of(2.0f, "2.0"),
                Arguments.of(1e20, "1.0E20"),
                Arguments.of('x', "\"x\""),
                Arguments.of("", "\"\""),
                Arguments.of("q\"b\\s/", "\"q\\\"b\\\\s/\""),
                Arguments.of("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\""),
                Arguments.of("\u0000\u0001\u001f\u007f", "\"\\u0000\\u0001\\u001f\\u007f\""),
                Arguments.of("caf\u00e9 \uD83D\uDE00", "\"caf\u00e9 \uD83D\uDE00\""),
                Arguments.of("\uD800x\uDC00", "\"\\ud800x\\udc00\""),
                Arguments.of(List.of(), "[]"),
                Arguments.of(Map.of(), "{}"),
                Arguments.of(Set.of(1), "[1]"),
                Arguments.of(new Object[] {1, "a", null}, "[1,\"a\",null]"),
                Arguments.of(arr(1L, "two", null, arr(), obj()), "[1,\"two\",null,[],{}]"),
                Arguments.of(obj("b", 1, "a", obj("c", arr(true))), "{\"b\":1,\"a\":{\"c\":[true]}}"),
                Arguments.of(new TreeMap<>(Map.of("y", 1, "x", 2)), "{\"x\":2,\"y\":1}"));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("writes")
    void writesCompactly(Object value, String expected) {
        assertEquals(expected, Json.write(value));
        // Everything written must parse back.
        Json.parse(Json.write(value));
    }

    @Test
    void rejectsUnwritableValues() {
        assertThrows(JsonException.class, () -> Json.write(Double.NaN));
        assertThrows(JsonException.class, () -> Json.write(Double.POSITIVE_INFINITY));
        assertThrows(JsonException.class, () -> Json.write(Map.of(1, 2)));
        assertThrows(JsonException.class, () -> Json.write(new Object()));
        List<Object> cyclic = new ArrayList<>();
        cyclic.add(cyclic);
        assertThrows(JsonException.class, () -> Json.write(cyclic));
    }

    @Test
    void writesPretty() {
        Object doc = obj("name", "/con1", "ids", arr(1L, 2L), "empty", arr(), "none", obj(),
                "nested", obj("k", null));
        String expected = """
                {
                  "name": "/con1",
                  "ids": [
                    1,
                    2
                  ],
                  "empty": [],
                  "none": {},
                  "nested": {
                    "k": null
                  }
                }""";
        assertEquals(expected, Json.writePretty(doc));
        assertEquals(doc, Json.parse(Json.writePretty(doc)));
        assertEquals("\"x\"", Json.writePretty("x"));
        assertEquals("[]", Json.writePretty(List.of()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"Id\":\"abc\",\"State\":{\"Pid\":0,\"Running\":false,\"Error\":\"\"},\"Args\":[\"-c\",\"sleep 1\"]}",
        "[1,-2,3.25,-4.5E-7,1.0E300,\"\\u0001\\\"\\\\\",[[[]]],{\"\":{}}]",
        "\"\\ud83d\\ude00 \\u2028 \\t\"",
        "{\"unicode\":\"\u00fc\u00df\u4e2d\",\"big\":9223372036854775807,\"neg\":-9223372036854775808}",
    })
    void roundTrips(String text) {
        Object parsed = Json.parse(text);
        assertEquals(parsed, Json.parse(Json.write(parsed)));
        assertEquals(parsed, Json.parse(Json.writePretty(parsed)));
        assertEquals(Json.write(parsed), Json.write(Json.parse(Json.write(parsed))));
    }

    @Test
    void quote() {
        assertEquals("\"a\\nb\"", Json.quote("a\nb"));
    }

    @Test
    void typedAccessors() {
        Object root = Json.parse("{\"Id\":\"abc\",\"State\":{\"Pid\":1234,\"Running\":true,\"F\":2.0,\"H\":2.5},"
                + "\"List\":[{\"x\":\"y\"}],\"Null\":null}");
        Map<String, Object> m = Json.object(root);
        assertEquals("abc", Json.string(m, "Id"));
        assertNull(Json.string(m, "Missing"));
        assertNull(Json.string(m, "Null"));
        assertThrows(JsonException.class, () -> Json.string(m, "State"));

        Map<String, Object> state = Json.object(Json.at(root, "State"));
        assertEquals(1234L, Json.number(state, "Pid"));
        assertEquals(2L, Json.number(state, "F"));
        assertThrows(JsonException.class, () -> Json.number(state, "H"));
        assertThrows(JsonException.class, () -> Json.number(state, "Running"));
        assertThrows(JsonException.class, () -> Json.number(state, "Missing"));
        assertTrue(Json.bool(state, "Running"));
        assertThrows(JsonException.class, () -> Json.bool(state, "Pid"));

        assertEquals(1234L, Json.at(root, "State", "Pid"));
        assertEquals("y", Json.at(root, "List", "0", "x"));
        assertNull(Json.at(root, "List", "1", "x"));
        assertNull(Json.at(root, "List", "-1"));
        assertNull(Json.at(root, "List", "x"));
        assertNull(Json.at(root, "State", "Pid", "deeper"));
        assertNull(Json.at(root, "Nope", "deeper"));
        assertNull(Json.at(null, "a"));
        assertEquals(root, Json.at(root));

        assertThrows(JsonException.class, () -> Json.object("str"));
        assertThrows(JsonException.class, () -> Json.array(m));
        assertEquals(1, Json.array(Json.at(root, "List")).size());
    }
}
