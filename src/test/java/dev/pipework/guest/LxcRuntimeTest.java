package dev.pipework.guest;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pipework.model.Guest;
import dev.pipework.model.PipeworkException;
import dev.pipework.sys.CommandResult;
import dev.pipework.sys.CommandRunner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LXC lookup against fake /proc and cgroup trees. */
class LxcRuntimeTest {
    @TempDir
    Path dir;
    Path proc;
    Path cgroup;

    @BeforeEach
    void setUp() throws IOException {
        proc = Files.createDirectories(dir.resolve("proc"));
        cgroup = Files.createDirectories(dir.resolve("cgroup"));
        Files.writeString(proc.resolve("filesystems"), "nodev\tcgroup\nnodev\tcgroup2\n");
        for (int pid : new int[] {4242, 4343, 5151}) {
            process(pid);
        }
    }

    /** A process with a namespace file of its own. */
    private Path process(int pid) throws IOException {
        Path ns = Files.createDirectories(proc.resolve(pid + "/ns")).resolve("net");
        if (!Files.exists(ns)) {
            Files.writeString(ns, "netns of " + pid);
        }
        return ns;
    }

    /** The hybrid layout of this kind of machine: v1 controllers and the unified hierarchy. */
    private void hybrid() throws IOException {
        Files.writeString(proc.resolve("mounts"), String.join("\n",
                "tmpfs " + cgroup + " tmpfs rw 0 0",
                "cgroup " + cgroup.resolve("cpu") + " cgroup rw,relatime,cpu 0 0",
                "cgroup " + cgroup.resolve("devices") + " cgroup rw,relatime,devices 0 0",
                "cgroup2 " + cgroup.resolve("unified") + " cgroup2 rw,relatime 0 0", ""));
    }

    private void v2only() throws IOException {
        Files.writeString(proc.resolve("mounts"), "cgroup2 " + cgroup.resolve("unified") + " cgroup2 rw 0 0\n");
    }

    private static void group(Path dir, String file, String pids) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(file), pids);
    }

    private Guest find(LxcRuntime lxc, String token) {
        return lxc.find(token, true).orElseThrow(() -> new AssertionError("not found: " + token));
    }

    @Test
    void originalPlainNameUnderTheDevicesController() throws IOException {
        hybrid();
        group(cgroup.resolve("devices/lxc/web"), "tasks", "4242\n4243\n");
        Guest g = find(new LxcRuntime(proc), "web");
        assertEquals(4242, g.pid());
        assertEquals(LxcRuntime.RUNTIME, g.runtime());
        assertEquals(proc.resolve("4242/ns/net").toString(), g.netnsPath());
        assertEquals(GuestRuntime.inode(proc.resolve("4242/ns/net")), g.netnsInode());
        assertEquals(Optional.empty(), g.id());
        assertEquals("web", g.displayName());
    }

    @Test
    void lxc31PayloadAndMonitorDirectoriesCountOnce() throws IOException {
        hybrid();
        group(cgroup.resolve("devices/lxc.payload/web"), "tasks", "4242\n");
        group(cgroup.resolve("devices/lxc.monitor/web"), "tasks", "5151\n");
        assertEquals(4242, find(new LxcRuntime(proc), "web").pid());
    }

    @Test
    void lxc4PayloadUnderCgroupV1() throws IOException {
        hybrid();
        group(cgroup.resolve("devices/lxc.payload.web"), "tasks", "4343\n");
        group(cgroup.resolve("devices/lxc.monitor.web"), "tasks", "5151\n");
        group(cgroup.resolve("unified/lxc.payload.web"), "cgroup.procs", "4343\n");
        assertEquals(4343, find(new LxcRuntime(proc), "web").pid());
        assertEquals(Optional.empty(), new LxcRuntime(proc).find("we", true));
    }

    @Test
    void lxc4PayloadUnderCgroupV2WithProcessesInAChildCgroup() throws IOException {
        v2only();
        group(cgroup.resolve("unified/lxc.payload.web"), "cgroup.procs", "");
        group(cgroup.resolve("unified/lxc.payload.web/init.scope"), "cgroup.procs", "4343\n");
        group(cgroup.resolve("unified/lxc.monitor.web"), "cgroup.procs", "5151\n");
        assertEquals(4343, find(new LxcRuntime(proc), "web").pid());
    }

    @Test
    void twoContainersOfOneNameAreRefusedWithTheOriginalsMessage() throws IOException {
        hybrid();
        group(cgroup.resolve("devices/lxc/web"), "tasks", "4242\n");
        group(cgroup.resolve("devices/lxc.payload/web"), "tasks", "4343\n");
        PipeworkException e = assertThrows(PipeworkException.class, () -> new LxcRuntime(proc).find("web", true));
        assertEquals("Found more than one container matching web.", e.getMessage());
    }

    @Test
    void aCgroupWithoutProcessAsksLxcInfoThenGivesTheOriginalsMessage() throws IOException {
        hybrid();
        group(cgroup.resolve("devices/lxc/web"), "tasks", "");
        PipeworkException e = assertThrows(PipeworkException.class, () -> new LxcRuntime(proc).find("web", true));
        assertEquals("Could not find a process inside container web.", e.getMessage());
        assertEquals(4343, find(new LxcRuntime(proc, name -> OptionalInt.of(4343)), "web").pid());
    }

    @Test
    void aDockerContainersCgroupIsLeftToDocker() throws IOException {
        hybrid();
        String id = "3c29b7ae3f617889dc37c0b02be17a5d2483ae35403f6b78e56bb0ff43f38b42";
        group(cgroup.resolve("devices/docker/" + id), "tasks", "4242\n");
        assertEquals(Optional.empty(), new LxcRuntime(proc).find(id, true));
    }

    @Test
    void noCgroupMountOnAKernelWithoutCgroup2IsTheOriginalsRefusal() throws IOException {
        Files.writeString(proc.resolve("mounts"), "proc /proc proc rw 0 0\n");
        Files.writeString(proc.resolve("filesystems"), "nodev\tcgroup\n");
        PipeworkException e = assertThrows(PipeworkException.class, () -> new LxcRuntime(proc).find("web", true));
        assertEquals("Could not locate cgroup mount point.", e.getMessage());
    }

    @Test
    void lxcInfoFindsWhatNoCgroupShows() throws IOException {
        Files.writeString(proc.resolve("mounts"), "proc /proc proc rw 0 0\n");
        List<String> asked = new ArrayList<>();
        LxcRuntime lxc = new LxcRuntime(proc, name -> {
            asked.add(name);
            return name.equals("web") ? OptionalInt.of(5151) : OptionalInt.empty();
        });
        assertEquals(5151, find(lxc, "web").pid());
        assertEquals(Optional.empty(), lxc.find("db", true));
        assertEquals(Optional.empty(), lxc.find("a/b", true));
        assertEquals(List.of("web", "db"), asked);
    }

    @Test
    void lxcInfoCommand() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path program = bin.resolve("lxc-info");
        Files.writeString(program, "#!/bin/sh\n");
        program.toFile().setExecutable(true);
        Map<String, CommandResult> answers = Map.of(
                "web", new CommandResult(0, "5151\n", ""),
                "stopped", new CommandResult(0, "", ""),
                "none", new CommandResult(1, "", "none doesn't exist\n"));
        List<List<String>> ran = new ArrayList<>();
        CommandRunner runner = new CommandRunner() {
            public CommandResult run(List<String> argv) {
                ran.add(argv);
                return answers.get(argv.get(2));
            }

            public CommandResult run(List<String> argv, String stdin) {
                return run(argv);
            }
        };
        Path lxcPath = dir.resolve("lxc");
        for (String name : List.of("web", "stopped", "none")) {
            Files.createDirectories(lxcPath.resolve(name));
            Files.writeString(lxcPath.resolve(name).resolve("config"), "lxc.net.0.type = empty\n");
        }
        LxcRuntime.LxcInfo info = LxcRuntime.lxcInfo(runner, bin.toString(), lxcPath);
        assertEquals(OptionalInt.of(5151), info.pid("web"));
        assertEquals(OptionalInt.empty(), info.pid("stopped"));
        assertEquals(OptionalInt.empty(), info.pid("none"));
        assertEquals(List.of(program.toString(), "-n", "web", "-pH"), ran.get(0));
        assertEquals(OptionalInt.empty(), LxcRuntime.lxcInfo(runner, dir.resolve("empty").toString(), lxcPath)
                .pid("web"));
        assertEquals(3, ran.size());
        // A name LXC has no configuration for (a Docker container's, say) starts no process.
        assertEquals(OptionalInt.empty(), info.pid("con1"));
        assertEquals(3, ran.size());
    }

    @Test
    void allListsTheRunningPayloadCgroups() throws IOException {
        hybrid();
        group(cgroup.resolve("devices/lxc.payload.web"), "tasks", "4242\n");
        group(cgroup.resolve("devices/lxc.payload.db"), "tasks", "4343\n");
        group(cgroup.resolve("devices/lxc.payload.gone"), "tasks", "");
        group(cgroup.resolve("devices/lxc.monitor.web"), "tasks", "5151\n");
        List<Guest> all = new LxcRuntime(proc).all();
        assertEquals(List.of("db", "web"), all.stream().map(Guest::token).toList());
        assertEquals(List.of(4343, 4242), all.stream().map(Guest::pid).toList());
    }

    @Test
    void verifyUnchangedSeesAStopAndARestart() throws IOException {
        hybrid();
        Path payload = cgroup.resolve("devices/lxc.payload.web");
        group(payload, "tasks", "4242\n");
        LxcRuntime lxc = new LxcRuntime(proc);
        Guest g = find(lxc, "web");
        assertDoesNotThrow(() -> lxc.verifyUnchanged(g));

        group(payload, "tasks", "4343\n");
        PipeworkException restarted = assertThrows(PipeworkException.class, () -> lxc.verifyUnchanged(g));
        assertTrue(restarted.getMessage().contains("stopped or restarted"), restarted.getMessage());
        assertTrue(restarted.getMessage().contains("its PID was 4242"), restarted.getMessage());

        Files.delete(payload.resolve("tasks"));
        Files.delete(payload);
        assertThrows(PipeworkException.class, () -> lxc.verifyUnchanged(g));
    }

    @Test
    void verifyUnchangedSeesAReusedPidInAnotherNamespace() throws IOException {
        hybrid();
        group(cgroup.resolve("devices/lxc.payload.web"), "tasks", "4242\n");
        LxcRuntime lxc = new LxcRuntime(proc);
        Guest g = find(lxc, "web");
        Path ns = proc.resolve("4242/ns/net");
        // Written beside it first, so that it cannot get the old file's inode.
        Path other = Files.writeString(proc.resolve("4242/ns/other"), "another namespace");
        Files.move(other, ns, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThrows(PipeworkException.class, () -> lxc.verifyUnchanged(g));
    }

    @Test
    void aCgroupOfThatNameOutsideLxcsPlacesIsNotAContainer() throws IOException {
        hybrid();
        // Another container's cgroup parent (docker run --cgroup-parent web), a systemd unit, a
        // cgroup of that name at the top.
        group(cgroup.resolve("devices/web/3c29b7ae3f617889dc37c0b02be17a5d2483ae35403f6b78e56bb0ff43f38b42"),
                "tasks", "4242\n");
        group(cgroup.resolve("devices/system.slice/ssh.service"), "tasks", "4343\n");
        group(cgroup.resolve("devices/ssh.service"), "tasks", "4343\n");
        LxcRuntime lxc = new LxcRuntime(proc);
        assertEquals(Optional.empty(), lxc.find("web", true));
        assertEquals(Optional.empty(), lxc.find("ssh.service", true));
        assertEquals(Optional.empty(), lxc.find("docker", true));
    }

    @Test
    void aSystemdUnitsNameIsNeverAnLxcContainer() throws IOException {
        hybrid();
        group(cgroup.resolve("devices/lxc/ssh.service"), "tasks", "4343\n");
        group(cgroup.resolve("unified/lxc.payload.user.slice"), "cgroup.procs", "4343\n");
        LxcRuntime lxc = new LxcRuntime(proc);
        assertEquals(Optional.empty(), lxc.find("ssh.service", true));
        assertEquals(Optional.empty(), lxc.find("user.slice", true));
    }

    @Test
    void anEngineContainerStartedBelowAnLxcCgroupIsNotItsProcess() throws IOException {
        v2only();
        // docker run --cgroup-parent lxc.payload.web: the payload cgroup has no process of its own.
        group(cgroup.resolve("unified/lxc.payload.web"), "cgroup.procs", "");
        group(cgroup.resolve("unified/lxc.payload.web/3c29b7ae3f617889dc37c0b02be17a5d2483ae35403f6b78e56bb0ff43f38b42"),
                "cgroup.procs", "4242\n");
        assertEquals(Optional.empty(), new LxcRuntime(proc).find("web", true));
    }
}
