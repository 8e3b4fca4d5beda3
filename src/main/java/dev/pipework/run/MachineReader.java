package dev.pipework.run;

import dev.pipework.guest.DockerException;
import dev.pipework.host.HostInspector;
import dev.pipework.model.DefaultRoute;
import dev.pipework.model.Family;
import dev.pipework.model.Guest;
import dev.pipework.plan.GuestLink;
import dev.pipework.plan.HostLink;
import dev.pipework.plan.LinkFacts;
import dev.pipework.plan.MachineView;
import dev.pipework.plan.OvsPort;
import dev.pipework.sys.Parallel;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The machine as the host and guest readers show it, each question read at most once: a run makes
 * one under its locks and plans from it.
 */
final class MachineReader implements MachineView {
    /** Between the parts of a key: no name, path or number holds it. */
    private static final String SEP = "\u0000";

    private final Services services;
    /*
     * Answers are kept by a text key rather than by a record of the question: a record's own
     * equals and hashCode are linked through method handles on their first call, which the JVM's
     * start-up cache does not keep (about 8 ms of an attach, measured with
     * -Xlog:class+load+cause). This is the one place that measurement keeps a workaround.
     */
    private final Map<String, Object> answers = new HashMap<>();

    MachineReader(Services services) {
        this.services = services;
    }

    @SuppressWarnings("unchecked")
    private <T> T once(String key, Supplier<T> read) {
        if (answers.containsKey(key)) {
            return (T) answers.get(key);
        }
        T answer = read.get();
        answers.put(key, answer);
        return answer;
    }

    private static String key(Object... parts) {
        StringBuilder b = new StringBuilder();
        for (Object part : parts) {
            b.append(part).append(SEP);
        }
        return b.toString();
    }

    public Optional<LinkFacts> link(String name) {
        return once(key("link", name), () -> services.host().link(name));
    }

    public Optional<String> linkWithMac(String mac) {
        return once(key("linkWithMac", mac), () -> services.host().linkWithMac(mac));
    }

    public boolean ovsBridge(String name) {
        return once(key("ovsBridge", name), () -> services.host().isOvsBridge(name));
    }

    public boolean ovsInstalled() {
        return once("ovsInstalled", () -> services.host().ovsInstalled());
    }

    public boolean ovsKernelDatapath() {
        return once("ovsKernelDatapath", () -> services.host().ovsKernelDatapath());
    }

    public boolean installed(String command) {
        return once(key("installed", command), () -> services.host().commandInstalled(command));
    }

    public Optional<DefaultRoute> guestDefaultRoute(String netnsPath, Family family) {
        return once(key("guestDefaultRoute", netnsPath, family),
                () -> services.guestInspector().defaultRoute(netnsPath, family));
    }

    public Map<Integer, HostLink> hostLinks() {
        return once("hostLinks", () -> services.host().links());
    }

    public Optional<HostLink> hostLink(int index, String likelyName) {
        if (answers.containsKey("hostLinks")) {
            return Optional.ofNullable(hostLinks().get(index));
        }
        return once(key("hostLink", index), () -> {
            Optional<HostLink> likely = namedLink(likelyName);
            if (likely.isPresent() && likely.get().index() == index) {
                return likely;
            }
            // Named otherwise: every link's index, read once a run, then that one link's files.
            String name = once("hostLinkIndexes", () -> services.host().linkNamesByIndex()).get(index);
            return name == null ? Optional.<HostLink>empty()
                    : namedLink(name).filter(link -> link.index() == index);
        });
    }

    private Optional<HostLink> namedLink(String name) {
        return once(key("hostLinkNamed", name), () -> services.host().hostLink(name));
    }

    /** From every link's name once those are read; else that name alone, a file test. */
    public boolean hostLinkExists(String name) {
        if (answers.containsKey("hostLinks") || answers.containsKey("hostLinkNames")) {
            return hostLinkNames().contains(name);
        }
        return once(key("hostLinkExists", name), () -> services.host().linkExists(name));
    }

    public java.util.Set<String> hostLinkNames() {
        if (answers.containsKey("hostLinks")) {
            return MachineView.super.hostLinkNames();
        }
        return once("hostLinkNames", () -> services.host().linkNames());
    }

    public Map<String, OvsPort> ovsPorts() {
        return ovsPortsRead().ports();
    }

    /*
     * Open vSwitch's ports asked alone on its database's socket (HostInspector.ovsPortsNamed and
     * ovsPortsRecording): the answers by the port's name (a port found by its container's record
     * is not asked again by name) and by the container; the first line saying the database did not
     * answer in time; whether any was answered. Once a question cannot be asked so (no database on
     * the socket, an answer that cannot be read), every port is read instead, once.
     */
    private final Map<String, Optional<OvsPort>> ovsPortByName = new HashMap<>();
    private final Map<String, List<OvsPort>> ovsPortsByContainer = new HashMap<>();
    private Optional<String> ovsDownAlone = Optional.empty();
    private boolean ovsAnsweredAlone;
    private boolean ovsNotAlone;

    private boolean ovsAskAlone() {
        return !ovsNotAlone && !answers.containsKey("ovsPorts");
    }

    /** Keeps what a question asked alone met; false when it could not be asked so. */
    private boolean ovsAnswered(Optional<HostInspector.OvsPorts> read) {
        if (read.isEmpty()) {
            ovsNotAlone = true;
            return false;
        }
        ovsAnsweredAlone = true;
        if (ovsDownAlone.isEmpty()) {
            ovsDownAlone = read.get().down();
        }
        return true;
    }

    /** A port, from every port once they are read; else asked alone, where it can be. */
    public Optional<OvsPort> ovsPort(String name) {
        if (ovsAskAlone()) {
            Optional<OvsPort> known = ovsPortByName.get(name);
            if (known != null) {
                return known;
            }
            Optional<HostInspector.OvsPorts> read = services.host().ovsPortsNamed(List.of(name));
            if (ovsAnswered(read)) {
                Optional<OvsPort> port = Optional.ofNullable(read.get().ports().get(name));
                ovsPortByName.put(name, port);
                return port;
            }
        }
        return Optional.ofNullable(ovsPorts().get(name));
    }

    public List<OvsPort> ovsPortsOfContainer(String containerId) {
        if (ovsAskAlone()) {
            List<OvsPort> kept = ovsPortsByContainer.get(containerId);
            if (kept != null) {
                return kept;
            }
            Map<String, OvsPort> known = new HashMap<>();
            ovsPortByName.forEach((name, port) -> port.ifPresent(p -> known.put(name, p)));
            Optional<HostInspector.OvsPorts> read = services.host().ovsPortsRecording(OvsPort.CONTAINER_ID, containerId, known);
            if (ovsAnswered(read)) {
                read.get().ports().forEach((name, port) -> ovsPortByName.putIfAbsent(name, Optional.of(port)));
                List<OvsPort> ports = List.copyOf(read.get().ports().values());
                ovsPortsByContainer.put(containerId, ports);
                return ports;
            }
        }
        return MachineView.super.ovsPortsOfContainer(containerId);
    }

    /**
     * What the questions about ports alone met, where one did not answer in time; else as every port
     * is read, where that was read or no question was answered alone.
     */
    public Optional<String> ovsDatabaseDown() {
        if (ovsDownAlone.isPresent()) {
            return ovsDownAlone;
        }
        if (!answers.containsKey("ovsPorts") && ovsAnsweredAlone) {
            return Optional.empty();
        }
        return ovsPortsRead().down();
    }

    private HostInspector.OvsPorts ovsPortsRead() {
        return once("ovsPorts", () -> services.host().ovsPortsRead());
    }

    public List<GuestLink> guestLinks(String netnsPath, String guest) {
        return once(key("guestLinks", netnsPath, guest), () -> services.guestInspector().links(netnsPath, guest));
    }

    /**
     * From this many guests, each reading is asked as one of many ({@code GuestInspector.linksOfOneOfMany}):
     * over rtnetlink a guest costs about 16 ms of CPU less than {@code ip}'s start, once the JVM has set
     * those calls up, about 120 ms (docs/performance.md).
     */
    static final int MANY_GUESTS = 8;

    /**
     * Reads the links of these guests ahead of the planner's questions, a few at once: a child
     * process in each guest's namespace, whose time is mostly its start, or from {@link #MANY_GUESTS}
     * on a reading without one where the inspector has it. A guest that fails is left unread, so
     * that the planner's own question reads it again and sees the failure.
     */
    void readGuestLinks(List<Guest> guests) {
        List<Guest> todo = guests.stream().filter(g -> !g.netnsPath().isEmpty()
                && !answers.containsKey(key("guestLinks", g.netnsPath(), g.describe()))).toList();
        boolean many = todo.size() >= MANY_GUESTS;
        List<Optional<List<GuestLink>>> read = Parallel.map(todo, g -> {
            try {
                return Optional.of(many ? services.guestInspector().linksOfOneOfMany(g.netnsPath(), g.describe())
                        : services.guestInspector().links(g.netnsPath(), g.describe()));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        });
        for (int i = 0; i < todo.size(); i++) {
            Guest g = todo.get(i);
            read.get(i).ifPresent(links -> answers.put(key("guestLinks", g.netnsPath(), g.describe()), links));
        }
    }

    /**
     * For {@code status} of everything: the guests' links as {@link #readGuestLinks} reads them and,
     * as many guests as it reads them without a process for, the host's ahead of the planner's
     * questions the same way: every host link (the overlays' bridges, each attachment's host end) and
     * the host's own namespace as a guest's (the shims), where one by one they cost a few files a link
     * and an {@code ip} whose answer grows with the host. A reading that fails is left to the
     * question, which reads again. The view is one moment's, for showing: nothing plans from it.
     */
    void readEverything(List<Guest> guests) {
        readGuestLinks(guests);
        if (guests.stream().filter(g -> !g.netnsPath().isEmpty()).count() < MANY_GUESTS) {
            return;
        }
        try {
            answers.put("hostLinks", services.host().linksOfMany());
        } catch (RuntimeException e) {
            // asked again by the question
        }
        String host = hostNetnsPath();
        try {
            answers.put(key("guestLinks", host, HOST_AS_GUEST), services.guestInspector().linksOfOneOfMany(host, HOST_AS_GUEST));
        } catch (RuntimeException e) {
            // asked again by the question
        }
    }

    public boolean fileExists(String path) {
        return once(key("fileExists", path), () -> services.host().fileExists(path));
    }

    public Optional<Long> dhcpClientProcess(String pidFile, String program, long netnsInode) {
        return once(key("dhcpClientProcess", pidFile, program, netnsInode),
                () -> services.host().processOf(pidFile, program, netnsInode));
    }

    public List<String> hostDirectory(String path) {
        return once(key("hostDirectory", path), () -> services.host().listFiles(path));
    }

    public Optional<String> leaseFile(String path) {
        return once(key("leaseFile", path), () -> services.host().readFile(path, 1 << 20));
    }

    public List<String> pipeworkCommand() {
        return Self.command();
    }

    public List<String> vxlanFloods(String device) {
        return once(key("vxlanFloods", device), () -> services.host().vxlanFloods(device));
    }

    public Optional<String> hostFile(String path) {
        return once(key("hostFile", path), () -> services.host().readFile(path));
    }

    public List<String> containersLabelled(String label, String value) {
        return once(key("containersLabelled", label, value), () -> labelled(label, value));
    }

    private List<String> labelled(String label, String value) {
        if (!services.docker().isAvailable()) {
            return List.of();
        }
        try {
            return services.docker().idsWithLabel(label, value);
        } catch (DockerException e) {
            services.warn().accept("cannot look for DHCP helper containers: " + e.getMessage());
            return List.of();
        }
    }

    public long hostPid() {
        return services.host().hostPid();
    }

    public String runTag() {
        return services.host().runTag();
    }
}
