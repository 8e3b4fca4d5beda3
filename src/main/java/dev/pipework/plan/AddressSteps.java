package dev.pipework.plan;

import dev.pipework.model.DefaultRoute;
import dev.pipework.model.Family;
import dev.pipework.model.IpAddress;
import dev.pipework.model.IpCidr;
import dev.pipework.plan.Command.Detached;
import dev.pipework.plan.Command.Ip;
import dev.pipework.sys.Where;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Steps on addresses and routes in the guest, and the announcement of a new address. */
public final class AddressSteps {
    private AddressSteps() {
    }

    /** {@code ip -4 addr add <cidr> brd <broadcast> dev <name>}; IPv6 has no broadcast. */
    public record AddAddress(Where where, Family family, IpCidr address, String device) implements Step {
        public Command command() {
            List<String> words = new ArrayList<>(List.of("addr", "add", address.toString()));
            if (address.family() == Family.INET) {
                words.add("brd");
                words.add(address.broadcast());
            }
            words.add("dev");
            words.add(device);
            return Ip.of(where, family, words);
        }

        public Optional<Command> undo() {
            return Optional.empty();
        }

        public String action() {
            return "add address " + address + " to \"" + device + "\"";
        }
    }

    /** {@code ip -4 route add <gateway>/32 dev <name>}: makes a gateway outside the subnet reachable on the link. */
    public record AddRoute(Where where, Family family, String destination, String device) implements Step {
        public Command command() {
            return Ip.of(where, family, List.of("route", "add", destination, "dev", device));
        }

        public Optional<Command> undo() {
            return Optional.empty();
        }

        public String action() {
            return "add route " + destination + " dev \"" + device + "\"";
        }

        /** The route as {@code ip route} shows it. */
        public String shown() {
            return destination + " dev " + device;
        }
    }

    /**
     * {@code ip -4 route add <destination> [via <gateway>] dev <name>}: a route an address source
     * (a CNI IPAM plugin) returned. It goes with the link, so it needs no undo of its own.
     */
    public record AddRouteVia(Where where, Family family, String destination, Optional<IpAddress> gateway,
                              String device) implements Step {
        public Command command() {
            List<String> words = new ArrayList<>(List.of("route", "add", destination));
            gateway.ifPresent(gw -> {
                words.add("via");
                words.add(gw.toString());
            });
            words.add("dev");
            words.add(device);
            return Ip.of(where, family, words);
        }

        public Optional<Command> undo() {
            return Optional.empty();
        }

        public String action() {
            return "add route " + destination + gateway.map(gw -> " via " + gw).orElse("") + " dev \"" + device + "\"";
        }
    }

    /**
     * {@code ip -4 route replace default via <gateway> dev <name>}. Its undo puts back the default
     * route the guest had, which would otherwise be lost when the new link goes.
     */
    public record ReplaceDefaultRoute(Where where, Family family, IpAddress gateway, String device,
                                      Optional<DefaultRoute> previous) implements Step {
        public Command command() {
            return Ip.of(where, family, List.of("route", "replace", "default", "via", gateway.toString(), "dev", device));
        }

        public Optional<Command> undo() {
            if (previous.isEmpty()) {
                return Optional.of(Ip.of(where, family, List.of("route", "del", "default")));
            }
            DefaultRoute old = previous.get();
            List<String> words = new ArrayList<>(List.of("route", "replace", "default"));
            old.via().ifPresent(via -> {
                words.add("via");
                words.add(via);
            });
            words.add("dev");
            words.add(old.device());
            return Optional.of(Ip.of(where, family, words));
        }

        public String action() {
            return "set the default route via " + gateway + " dev \"" + device + "\"";
        }

        /** The route as {@code ip route} shows it. */
        public String shown() {
            return "default via " + gateway + " dev " + device;
        }
    }

    /**
     * {@code setsid -f nsenter --net=<ns> arping -c 2 -A -I <name> <address>}: unsolicited ARP
     * replies so that neighbours learn the new address at once. The original sends one and waits a
     * second; a link just set up may not have carrier for a few milliseconds more and drop it, so a
     * second follows a second later. {@code setsid -f} returns at once and leaves arping to itself:
     * nothing waits for it, neither this run nor the JVM, which on exit would otherwise give a thread
     * blocked on a child up to 300 ms. Its outcome changes nothing, as with the original's
     * {@code || true}.
     */
    public record Announce(Where where, String device, String address) implements Step {
        public Command command() {
            List<String> argv = new ArrayList<>(List.of("setsid", "-f"));
            argv.addAll(where.wrap(List.of("arping", "-c", "2", "-A", "-I", device, address)));
            return new Detached(argv);
        }

        public Optional<Command> undo() {
            return Optional.empty();
        }

        public String action() {
            return "announce " + address + " on \"" + device + "\"";
        }
    }
}
