package dev.pipework.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The attach form in the original's words, read without picocli, is what picocli reads from it. */
class PlainAttachTest {

    private static PipeworkCommand picocli(String[] args) {
        PipeworkCommand command = new PipeworkCommand();
        Pipework.commandLine(command).parseArgs(args);
        return command;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"br0 c1 10.0.0.2/24", "br0 c1 10.0.0.2/24@10.0.0.1 02:00:00:00:00:01@7",
            "br0 -i eth2 c1 10.0.0.2/24", "-i eth2 br0 c1 dhcp", "br0 c1 10.0.0.2/24 -i eth2",
            "br0 -i eth2 -l veth9 c1 dhcp", "-l veth9 br0 c1 10.0.0.2/24 @100", "br0 c1 -l veth9 -i eth2 dhcp:-f",
            "ovsbr0 -i eth1 /proc/42/ns/net 10.0.0.2/24 @7", "del c1 10.0.0.2/24", "br0 -i status c1 dhcp"})
    void theSameAsPicocliReadsIt(String line) {
        String[] args = line.split(" ");
        PipeworkCommand plain = Pipework.plainAttach(args).orElseThrow();
        assertSameFields(picocli(args), plain);
        assertEquals(Optional.of(plain.words.get(1)), Pipework.guestAsked(args), "the guest readied first");
    }

    /**
     * Any other option, an option twice, a value that is an option or that picocli refuses, another
     * number of words: picocli's to read (and to refuse in its words).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"br0 c1", "br0 c1 10.0.0.2/24 02:00:00:00:00:01 x", "-i eth2 br0 c1",
            "--dry-run br0 c1 10.0.0.2/24", "-v br0 c1 10.0.0.2/24", "br0 -a 4 c1 dhcp", "--wait", "--wait -i eth2",
            "-i eth2 -i eth3 br0 c1 dhcp", "-l v1 -l v2 br0 c1 dhcp", "-ieth2 br0 c1 dhcp", "-i=eth2 br0 c1 dhcp",
            "br0 c1 dhcp -i", "br0 -i -l c1 dhcp x", "-i eth/2 br0 c1 dhcp", "-l this-name-is-too-long br0 c1 dhcp",
            "br0 c1 10.0.0.2/24 --mtu 1400", "-- br0 c1 10.0.0.2/24", "br0 - c1 dhcp", "--batch f"})
    void otherLinesAreNotPlain(String line) {
        assertEquals(Optional.empty(), Pipework.plainAttach(line.split(" ")), Arrays.toString(line.split(" ")));
    }

    /**
     * The launcher gives a line whose first word is a sub-command's name the settings of every other
     * command line, whatever its number of words: it knows each name.
     */
    @org.junit.jupiter.api.Test
    void theLauncherKnowsEverySubcommandsName() throws java.io.IOException {
        String launcher = java.nio.file.Files.readString(java.nio.file.Path.of("scripts/pipework"));
        String names = launcher.lines().filter(l -> l.strip().startsWith("route | rule | tc |")).findFirst().orElseThrow();
        java.util.Set<String> known = new java.util.HashSet<>();
        for (String name : names.substring(0, names.indexOf(')')).split("\\|")) {
            known.add(name.strip());
        }
        java.util.Set<String> all = new java.util.HashSet<>(Help.GUEST_COMMANDS);
        all.addAll(Help.SUBCOMMANDS);
        assertEquals(all, known, names);
    }

    private static void assertSameFields(Object picocli, Object plain) {
        for (Field field : picocli.getClass().getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            field.setAccessible(true);
            try {
                Object a = field.get(picocli);
                Object b = field.get(plain);
                if (a != null && a.getClass().getPackageName().equals(PlainAttachTest.class.getPackageName())) {
                    assertSameFields(a, b);
                } else {
                    assertEquals(a, b, field.getName());
                }
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
    }
}
