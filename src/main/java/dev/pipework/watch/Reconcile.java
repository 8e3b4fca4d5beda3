package dev.pipework.watch;

import dev.pipework.model.AddressSpec;
import dev.pipework.model.AttachRequest;
import dev.pipework.plan.AttachKind;
import dev.pipework.plan.Attachment;
import dev.pipework.plan.HostTarget;
import dev.pipework.plan.Planner;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The decision of a reconcile, made from what is declared and what is there: the declared
 * interface is missing (attach it), in place as declared (leave it), or in place but different
 * (report it, leave it). Pure: it reads nothing.
 */
public final class Reconcile {
    private Reconcile() {
    }

    public sealed interface Decision permits Missing, Same, Different {
        /** The interface in the guest the declaration is about. */
        String containerInterface();
    }

    public record Missing(String containerInterface) implements Decision {
    }

    public record Same(String containerInterface) implements Decision {
    }

    /** @param differences what differs, each as {@code <what> is <found>, declared <declared>} */
    public record Different(String containerInterface, List<String> differences) implements Decision {
    }

    /**
     * Whether the declared interface is missing whatever the host interface turns out to be: no
     * attachment has its name ({@code -i}, else either default, {@code eth1} or {@code ib0}).
     */
    public static boolean surelyMissing(AttachRequest request, List<Attachment> attachments) {
        List<String> names = request.containerInterface().map(List::of).orElse(List.of("eth1", "ib0"));
        return attachments.stream().noneMatch(a -> names.contains(a.containerInterface()));
    }

    /**
     * @param request     the declared attach, its host interface resolved
     * @param target      what its host interface is
     * @param attachments what attaches plumbed into the guest now
     */
    public static Decision decide(AttachRequest request, HostTarget target, List<Attachment> attachments) {
        String cif = Planner.containerInterface(request, target);
        Optional<Attachment> found = attachments.stream().filter(a -> a.containerInterface().equals(cif)).findFirst();
        if (found.isEmpty()) {
            return new Missing(cif);
        }
        Attachment a = found.get();
        List<String> diff = new ArrayList<>();
        AttachKind expected = Planner.kindOf(request, target);
        if (a.kind() != expected) {
            diff.add("kind is " + a.kind().key() + ", declared " + expected.key());
        } else if (!expected.livesInGuest() && !a.bridge().equals(Optional.of(target.name()))) {
            diff.add("bridge is " + a.bridge().orElse("none") + ", declared " + target.name());
        } else if (expected == AttachKind.DIRECT && !a.hostInterface().equals(Optional.of(target.name()))) {
            diff.add("interface is " + a.hostInterface().orElse("unknown") + ", declared " + target.name());
        }
        request.localInterface().ifPresent(l -> {
            if (!expected.livesInGuest() && !a.hostInterface().equals(Optional.of(l))) {
                diff.add("host side is " + a.hostInterface().orElse("unknown") + ", declared " + l);
            }
        });
        if (request.address() instanceof AddressSpec.Static s && !hasAddress(a, s)) {
            diff.add("addresses are " + (a.addresses().isEmpty() ? "none" : String.join(" ", a.addresses()))
                    + ", declared " + s.address());
        }
        request.mac().ifPresent(mac -> {
            if (!a.mac().toLowerCase(Locale.ROOT).equals(mac.text().toLowerCase(Locale.ROOT))) {
                diff.add("MAC is " + a.mac() + ", declared " + mac.text());
            }
        });
        if (expected == AttachKind.OVS) {
            Optional<Integer> declared = request.vlan().map(v -> v.id());
            if (!a.vlan().equals(declared)) {
                diff.add("VLAN is " + a.vlan().map(String::valueOf).orElse("none") + ", declared "
                        + declared.map(String::valueOf).orElse("none"));
            }
        }
        return diff.isEmpty() ? new Same(cif) : new Different(cif, diff);
    }

    private static boolean hasAddress(Attachment a, AddressSpec.Static s) {
        String declared = s.address().toString();
        for (String text : a.addresses()) {
            if (text.equals(declared)) {
                return true;
            }
            try {
                if (dev.pipework.model.IpCidr.parse(text).equals(s.address())) {
                    return true;
                }
            } catch (RuntimeException notAnAddress) {
                // an address the kernel shows in a form this tool does not read: not the declared one
            }
        }
        return false;
    }
}
