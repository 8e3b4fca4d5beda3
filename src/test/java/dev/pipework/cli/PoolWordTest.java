package dev.pipework.cli;

import dev.pipework.model.AddressSpec;
import dev.pipework.model.InvalidValueException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@code pool:<name>} and {@code pool:<name>@gw} in place of an address. */
class PoolWordTest {

    @Test
    void aPoolIsNamedInPlaceOfAnAddress() {
        assertEquals(new AddressSpec.FromPool("lan", false), RequestParser.address("pool:lan"));
        assertEquals(new AddressSpec.FromPool("lan-2.a", true), RequestParser.address("pool:lan-2.a@gw"));
        assertEquals("pool:lan@gw", RequestParser.address("pool:lan@gw").describe());
    }

    @Test
    void aWordThatIsNotAPoolNameIsRefused() {
        for (String word : new String[] {"pool:", "pool:@gw", "pool:a/b", "pool:lan@10.0.0.1", "pool:.x", "pool:lan,fd00::5/64"}) {
            assertThrows(InvalidValueException.class, () -> RequestParser.address(word), word);
        }
    }

    @Test
    void theOriginalsWordsAreReadAsBefore() {
        assertEquals(new AddressSpec.Dhcp("dhcp", false, ""), RequestParser.address("dhcp"));
        assertEquals(AddressSpec.Static.class, RequestParser.address("10.0.0.5/24@10.0.0.1").getClass());
    }
}
