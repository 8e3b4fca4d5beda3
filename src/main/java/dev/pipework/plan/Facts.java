package dev.pipework.plan;

import dev.pipework.model.DefaultRoute;
import dev.pipework.model.Family;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the planner was told about the machine: answers to the {@link Question}s it asked. A question
 * with no answer yet makes the planner throw {@link MissingFacts}, so a fact is never assumed
 * absent because nobody read it.
 *
 * @param answers the answers, by {@link Question#key()}
 * @param hostPid a process in the host's namespaces (this one): where a link goes back to on undo
 */
public record Facts(Map<String, Optional<?>> answers, long hostPid) {

    public Facts {
        answers = Map.copyOf(answers);
    }

    public static Facts none(long hostPid) {
        return new Facts(Map.of(), hostPid);
    }

    /** These facts and one more answer. */
    public Facts with(Question question, Optional<?> answer) {
        Map<String, Optional<?>> more = new HashMap<>(answers);
        more.put(question.key(), answer);
        return new Facts(more, hostPid);
    }

    private Optional<?> answer(Question question) {
        Optional<?> answer = answers.get(question.key());
        if (answer == null) {
            throw new MissingFacts(question);
        }
        return answer;
    }

    private boolean yes(Question question) {
        return answer(question).map(Boolean.TRUE::equals).orElse(false);
    }

    public Optional<LinkFacts> link(String name) {
        return answer(new Question.Link(name)).map(LinkFacts.class::cast);
    }

    public Optional<String> linkWithMac(String mac) {
        return answer(new Question.LinkWithMac(mac)).map(String.class::cast);
    }

    public boolean ovsBridge(String name) {
        return yes(new Question.OvsBridge(name));
    }

    public boolean ovsInstalled() {
        return yes(new Question.OvsInstalled());
    }

    public boolean ovsKernelDatapath() {
        return yes(new Question.OvsKernelDatapath());
    }

    public boolean installed(String command) {
        return yes(new Question.Installed(command));
    }

    public Optional<DefaultRoute> guestDefaultRoute(String netnsPath, Family family) {
        return answer(new Question.GuestDefaultRoute(netnsPath, family)).map(DefaultRoute.class::cast);
    }

    @SuppressWarnings("unchecked")
    public Map<Integer, HostLink> hostLinks() {
        return (Map<Integer, HostLink>) answer(new Question.HostLinks()).map(Object.class::cast).orElse(Map.of());
    }

    @SuppressWarnings("unchecked")
    public Map<String, OvsPort> ovsPorts() {
        return (Map<String, OvsPort>) answer(new Question.OvsPorts()).map(Object.class::cast).orElse(Map.of());
    }

    @SuppressWarnings("unchecked")
    public List<GuestLink> guestLinks(String netnsPath, String guest) {
        return (List<GuestLink>) answer(new Question.GuestLinks(netnsPath, guest)).map(Object.class::cast).orElse(List.of());
    }

    public boolean fileExists(String path) {
        return yes(new Question.FileExists(path));
    }

    public Optional<Long> dhcpClientProcess(String pidFile, String program, long netnsInode) {
        return answer(new Question.DhcpClientProcess(pidFile, program, netnsInode)).map(Long.class::cast);
    }

    public Optional<String> hostFile(String path) {
        return answer(new Question.HostFile(path)).map(String.class::cast);
    }

    @SuppressWarnings("unchecked")
    public List<String> containersLabelled(String label, String value) {
        return (List<String>) answer(new Question.ContainersLabelled(label, value)).map(Object.class::cast).orElse(List.of());
    }

    /** The host's network namespace, as a path a command inside a guest can open. */
    public String hostNetnsPath() {
        return "/proc/" + hostPid + "/ns/net";
    }
}
