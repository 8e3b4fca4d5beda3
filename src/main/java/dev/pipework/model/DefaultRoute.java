package dev.pipework.model;

import java.util.Optional;

/** A guest's default route before the run: its gateway, if any, and its device. */
public record DefaultRoute(Optional<String> via, String device) {
}
