package dev.pipework.exec;

import dev.pipework.model.Family;
import dev.pipework.model.IpCidr;
import dev.pipework.plan.Step;
import dev.pipework.plan.AddressSteps;
import dev.pipework.plan.LinkSteps;
import dev.pipework.plan.OvsSteps;
import dev.pipework.sys.Where;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class IpBatchTest {
    static final Where GUEST = Where.guest("/proc/7/ns/net");

    @Test
    void wordsWithSpacesAreQuotedForIpsBatchReader() {
        List<Step> steps = List.of(
                new LinkSteps.RenameLink(GUEST, "ph7eth1", "eth1"),
                new LinkSteps.SetAlias(GUEST, "eth1", "pipework macvlan eth0"),
                new AddressSteps.AddAddress(GUEST, Family.INET, IpCidr.parse("10.0.0.2/24"), "eth1"));
        List<Step> batch = IpBatch.run(steps, 0);
        assertEquals(3, batch.size());
        assertEquals(List.of("nsenter", "--net=/proc/7/ns/net", "ip", "-4", "-batch", "-"), IpBatch.command(batch));
        assertEquals("link set dev ph7eth1 name eth1\n"
                + "link set dev eth1 alias \"pipework macvlan eth0\"\n"
                + "addr add 10.0.0.2/24 brd 10.0.0.255 dev eth1\n", IpBatch.input(batch));
    }

    @Test
    void aWordWithAHashRunsOnItsOwn() {
        // ip's batch reader drops everything from a '#' on a line.
        List<Step> steps = List.of(
                new LinkSteps.SetLinkUp(Where.HOST, "a"),
                new LinkSteps.SetAlias(Where.HOST, "a", "x#y"),
                new LinkSteps.SetLinkUp(Where.HOST, "b"));
        assertEquals(1, IpBatch.run(steps, 0).size());
        assertEquals(1, IpBatch.run(steps, 1).size());
    }

    @Test
    void namespacesAndFamiliesDoNotMix() {
        List<Step> steps = List.of(
                new LinkSteps.SetLinkUp(Where.HOST, "a"),
                new LinkSteps.SetLinkUp(GUEST, "b"),
                new AddressSteps.AddAddress(GUEST, Family.INET, IpCidr.parse("10.0.0.2/24"), "b"),
                new AddressSteps.AddAddress(GUEST, Family.INET6, IpCidr.parse("fd00::2/64"), "b"));
        assertEquals(1, IpBatch.run(steps, 0).size());
        assertEquals(2, IpBatch.run(steps, 1).size());
        assertEquals(1, IpBatch.run(steps, 3).size());
    }

    @Test
    void otherProgramsAreNotBatched() {
        List<Step> steps = List.of(new OvsSteps.AddOvsBridge("ovs0", true), new LinkSteps.SetLinkUp(Where.HOST, "a"));
        assertEquals(1, IpBatch.run(steps, 0).size());
    }
}
