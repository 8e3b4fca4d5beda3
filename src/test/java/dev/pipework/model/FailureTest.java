package dev.pipework.model;

import dev.pipework.cni.CniError;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one mapping from a failure to the line on stderr, the exit status and the CNI error object. */
class FailureTest {

    @Test
    void anInvalidValueIsExit1AndCniInvalidConfig() {
        Failure f = Failure.of(new InvalidValueException("MTU \"9\" is not valid"));
        assertEquals(Failure.Kind.INVALID_VALUE, f.kind());
        assertEquals(1, f.exitStatus());
        assertEquals(4, f.cniCode());
        assertEquals("pipework: MTU \"9\" is not valid", f.line());
        assertFalse(f.unexpected());
    }

    @Test
    void aRefusalIsExit1AndCniPlumbingFailed() {
        Failure f = Failure.of(new PipeworkException("guest web not found"));
        assertEquals(Failure.Kind.REFUSED, f.kind());
        assertEquals(1, f.exitStatus());
        assertEquals(100, f.cniCode());
        assertEquals("pipework: guest web not found", f.line());
    }

    @Test
    void aFailedCommandKeepsItsExitStatus() {
        Failure f = Failure.of(new PipeworkException("ip link add failed", 2));
        assertEquals(2, f.exitStatus());
        assertEquals(100, f.cniCode());
    }

    @Test
    void theOriginalsMessagesAreAsTheyWere() {
        Failure f = Failure.of(PipeworkException.original("Link br1 exists and is up"));
        assertEquals("Link br1 exists and is up", f.line());
        assertEquals("Link br1 exists and is up", f.message());
        assertEquals(1, f.exitStatus());
    }

    @Test
    void aCniErrorKeepsItsCodeAndDetails() {
        Failure f = Failure.of(new CniError(CniError.IPAM_FAILED, "IPAM plugin \"host-local\" failed", "exit 1"));
        assertEquals(Failure.Kind.CODED, f.kind());
        assertEquals(1, f.exitStatus());
        assertEquals(101, f.cniCode());
        assertEquals(Map.of("cniVersion", "1.0.0", "code", 101L, "msg", "IPAM plugin \"host-local\" failed",
                "details", "exit 1"), f.cniError("1.0.0"));
        assertEquals(Map.of("cniVersion", "0.4.0", "code", 7L, "msg", "CNI_NETNS is missing"),
                Failure.of(new CniError(CniError.INVALID_ENVIRONMENT, "CNI_NETNS is missing")).cniError("0.4.0"));
    }

    @Test
    void anythingElseIsOneLineExit1AndCniPlumbingFailed() {
        Failure f = Failure.of(new IllegalStateException("unexpected\nalias"));
        assertEquals(Failure.Kind.UNEXPECTED, f.kind());
        assertEquals(1, f.exitStatus());
        assertEquals(100, f.cniCode());
        assertEquals("pipework: unexpected alias", f.line());
        assertTrue(f.unexpected());
        assertEquals("pipework: NullPointerException", Failure.of(new NullPointerException()).line());
    }

    @Test
    void theCniCodesAreTheSpecificationsAndPipeworks() {
        assertEquals(CniError.INVALID_CONFIG, Failure.CNI_INVALID_CONFIG);
        assertEquals(CniError.PLUMBING_FAILED, Failure.CNI_PLUMBING_FAILED);
    }
}
