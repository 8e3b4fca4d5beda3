package dev.pipework.plan;

import dev.pipework.exec.CommandRunner;
import dev.pipework.guest.DockerEngine;

/** What a step acts through: the command runner, and for the steps that start helper containers, Docker. */
public record StepEffects(CommandRunner runner, DockerEngine docker) {
}
