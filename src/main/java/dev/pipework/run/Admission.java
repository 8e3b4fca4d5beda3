package dev.pipework.run;

import dev.pipework.model.PipeworkException;
import dev.pipework.plan.HostTarget;

import java.util.Optional;

/**
 * What a front end lets a request make of the host, asked inside the run: under the locks of the
 * host links, with the host target as read there, before anything is claimed or changed. A check
 * made on an earlier reading would let the host change under it (a bridge deleted between the two
 * readings turns "attach to a bridge" into "create a bridge").
 */
@FunctionalInterface
public interface Admission {
    /** Everything the request asks is allowed: the command line's and the administrator's own files. */
    Admission ANY = target -> Optional.empty();

    /** Why the request may not make this of the host, if it may not. */
    Optional<String> refusal(HostTarget target);

    /** A run stopped by its admission: nothing was claimed or changed. */
    final class Refused extends PipeworkException {
        private static final long serialVersionUID = 1L;

        public Refused(String message) {
            super(message);
        }
    }
}
