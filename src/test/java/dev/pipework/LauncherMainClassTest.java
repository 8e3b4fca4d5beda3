package dev.pipework;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher starts the plain form and the CNI plugin by the class path and a main class it names
 * itself (scripts/pipework, {@code main_class=}): that class is the jar's own main class, the one the
 * build writes into the manifest, and it has a main method.
 */
class LauncherMainClassTest {

    @Test
    void theLauncherNamesTheJarsMainClass() throws Exception {
        String launcher = Files.readString(Path.of("scripts/pipework"));
        Matcher named = Pattern.compile("(?m)^\\s*main_class=([A-Za-z0-9_.]+)\\s*$").matcher(launcher);
        assertTrue(named.find(), "scripts/pipework sets main_class");
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher manifest = Pattern.compile("<mainClass>([^<]+)</mainClass>").matcher(pom);
        assertTrue(manifest.find(), "pom.xml names the jar's main class");
        assertEquals(manifest.group(1).strip(), named.group(1));
        int modifiers = Class.forName(named.group(1)).getMethod("main", String[].class).getModifiers();
        assertTrue(Modifier.isStatic(modifiers) && Modifier.isPublic(modifiers));
    }
}
