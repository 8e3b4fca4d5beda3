package dev.pipework.host;

import dev.pipework.plan.HostLink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * sysfs entries whose names are not printable ASCII (UTF-8 {@code ethü}, a lone byte 0xFF): the
 * host readers leave them out instead of handing on a name that this JVM has already mangled (or
 * crashing on it under a C locale).
 */
class SysfsNamesTest {
    @TempDir
    Path sys;

    /**
     * Makes {@code sys/<name>/} with the given files, the name and the contents given as printf(1)
     * formats so that their bytes reach the file system whatever this JVM's encoding.
     */
    private void link(String printfName, Map<String, String> files) throws Exception {
        StringBuilder script = new StringBuilder("cd \"$1\" && d=$(printf '" + printfName + "') && mkdir \"$d\"");
        for (Map.Entry<String, String> f : files.entrySet()) {
            if (f.getKey().equals("master")) {
                script.append(" && ln -s \"../$(printf '").append(f.getValue()).append("')\" \"$d/master\"");
            } else {
                script.append(" && printf '").append(f.getValue()).append("\\n' >\"$d/").append(f.getKey()).append('"');
            }
        }
        Process p = new ProcessBuilder(List.of("sh", "-c", script.toString(), "sh", sys.toString()))
                .inheritIO().start();
        assertEquals(0, p.waitFor(), script.toString());
    }

    @Test
    void linkWithMacSkipsNamesThatAreNotPrintableAscii() throws Exception {
        link("eth\\303\\274", Map.of("address", "02:00:00:00:00:aa", "type", "1", "mtu", "1500", "flags", "0x1003"));
        link("eth\\377", Map.of("address", "02:00:00:00:00:bb", "type", "1", "mtu", "1500", "flags", "0x1003"));
        link("eth7", Map.of("address", "02:00:00:00:00:cc", "type", "1", "mtu", "1500", "flags", "0x1003"));
        SysfsHostInspector host = new SysfsHostInspector(sys, sys, null);
        assertEquals(Optional.empty(), host.linkWithMac("02:00:00:00:00:aa"));
        assertEquals(Optional.empty(), host.linkWithMac("02:00:00:00:00:bb"));
        assertEquals(Optional.of("eth7"), host.linkWithMac("02:00:00:00:00:cc"));
        assertEquals(Optional.empty(), host.link("eth\u00fc"));
        assertEquals(Optional.empty(), host.link("eth\ufffd"));
        assertEquals(1500, host.link("eth7").orElseThrow().mtu());
    }

    /** Numbers read as ASCII decimal only: Integer.parseInt would also take a sign or other scripts' digits. */
    @Test
    void numbersAreAsciiDecimal() throws Exception {
        link("eth8", Map.of("type", "1", "mtu", "+1500", "flags", "0x1003"));
        link("eth9", Map.of("type", "1", "mtu", "\331\241\331\245\331\240\331\240", "flags", "0x1003"));
        SysfsHostInspector host = new SysfsHostInspector(sys, sys, null);
        assertEquals(Optional.empty(), host.link("eth8"));
        assertEquals(Optional.empty(), host.link("eth9"));
    }

    @Test
    void hostLinksLeaveSuchNamesOut() throws Exception {
        link("br\\303\\274", Map.of("ifindex", "5", "iflink", "5"));
        link("veth\\377", Map.of("ifindex", "6", "iflink", "7"));
        link("vethok", Map.of("ifindex", "8", "iflink", "9", "master", "br\\303\\274", "ifalias", "pipework"));
        link("brok", Map.of("ifindex", "10", "iflink", "10"));
        link("vethok2", Map.of("ifindex", "11", "iflink", "12", "master", "brok"));
        Map<Integer, HostLink> links = HostLinks.byIndex(sys);
        assertEquals(List.of(8, 10, 11), links.keySet().stream().sorted().toList());
        assertEquals(new HostLink("vethok", 8, 9, Optional.empty(), false, "pipework"), links.get(8));
        assertEquals(Optional.of("brok"), links.get(11).master());
    }
}
