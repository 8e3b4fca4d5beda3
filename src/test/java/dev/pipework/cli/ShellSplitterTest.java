package dev.pipework.cli;

import dev.pipework.model.InvalidValueException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ShellSplitterTest {

    /** Words are shown joined with '|'. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '~', textBlock = """
            br0 c1 10.0.0.2/24                 ~ br0|c1|10.0.0.2/24
              br0    c1   10.0.0.2/24          ~ br0|c1|10.0.0.2/24
            br0 'my container' 10.0.0.2/24     ~ br0|my container|10.0.0.2/24
            br0 "my container" 10.0.0.2/24     ~ br0|my container|10.0.0.2/24
            br0 my\\ container 10.0.0.2/24     ~ br0|my container|10.0.0.2/24
            br0 "a\\"b" 'c\\d'                 ~ br0|a"b|c\\d
            br0 "$(id)" `id` $HOME             ~ br0|$(id)|`id`|$HOME
            br0 a'b'"c"d                       ~ br0|abcd
            br0 ''                             ~ br0|
            """)
    void splitsLikeAShellWithoutExpanding(String line, String joined) {
        assertEquals(List.of(joined.split("\\|", -1)), ShellSplitter.split(line));
    }

    @ParameterizedTest
    @ValueSource(strings = {"br0 'open", "br0 \"open", "br0 \"a\\\""})
    void unterminatedQuotesAreRefused(String line) {
        assertThrows(InvalidValueException.class, () -> ShellSplitter.split(line));
    }
}
