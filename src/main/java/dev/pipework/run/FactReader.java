package dev.pipework.run;

import dev.pipework.guest.DockerException;
import dev.pipework.plan.Facts;
import dev.pipework.plan.MissingFacts;
import dev.pipework.plan.Question;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Answers the planner's questions from the machine, exactly those it asks: the planner is called,
 * and each {@link MissingFacts} it throws is read and added, until it has what it needs. Answers
 * are kept for the next call on the same reader.
 */
public final class FactReader {
    /** More rounds than any plan needs: a planner that keeps asking is a bug, not a slow machine. */
    private static final int MAX_ROUNDS = 64;

    private final Services services;
    private Facts facts;

    FactReader(Services services) {
        this.services = services;
        this.facts = Facts.none(services.host().hostPid());
    }

    /** Runs the planning function with the facts it asks for. */
    public <T> T ask(Function<Facts, T> planning) {
        for (int round = 0; ; round++) {
            try {
                return planning.apply(facts);
            } catch (MissingFacts missing) {
                if (round >= MAX_ROUNDS) {
                    throw new IllegalStateException("the planner keeps asking: " + missing.question());
                }
                facts = facts.with(missing.question(), read(missing.question()));
            }
        }
    }

    private Optional<?> read(Question question) {
        var host = services.host();
        if (question instanceof Question.Link q) {
            return host.link(q.name());
        }
        if (question instanceof Question.LinkWithMac q) {
            return host.linkWithMac(q.mac());
        }
        if (question instanceof Question.OvsBridge q) {
            return Optional.of(host.isOvsBridge(q.name()));
        }
        if (question instanceof Question.OvsInstalled) {
            return Optional.of(host.ovsInstalled());
        }
        if (question instanceof Question.OvsKernelDatapath) {
            return Optional.of(host.ovsKernelDatapath());
        }
        if (question instanceof Question.Installed q) {
            return Optional.of(host.commandInstalled(q.command()));
        }
        if (question instanceof Question.GuestDefaultRoute q) {
            return services.guestInspector().defaultRoute(q.netnsPath(), q.family());
        }
        if (question instanceof Question.HostLinks) {
            return Optional.of(host.links());
        }
        if (question instanceof Question.OvsPorts) {
            return Optional.of(host.ovsPorts());
        }
        if (question instanceof Question.GuestLinks q) {
            return Optional.of(services.guestInspector().links(q.netnsPath(), q.guest()));
        }
        if (question instanceof Question.FileExists q) {
            return Optional.of(host.fileExists(q.path()));
        }
        if (question instanceof Question.DhcpClientProcess q) {
            return host.processOf(q.pidFile(), q.program(), q.netnsInode());
        }
        if (question instanceof Question.HostFile q) {
            return host.readFile(q.path());
        }
        Question.ContainersLabelled q = (Question.ContainersLabelled) question;
        if (!services.docker().isAvailable()) {
            return Optional.of(List.of());
        }
        try {
            return Optional.of(services.docker().idsWithLabel(q.label(), q.value()));
        } catch (DockerException e) {
            services.warn().accept("cannot look for DHCP helper containers: " + e.getMessage());
            return Optional.of(List.of());
        }
    }
}
