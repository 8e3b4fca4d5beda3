package dev.pipework.cli.docs;

import dev.pipework.cli.Help;
import dev.pipework.model.Family;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders the bash completion of {@code pipework} from the command model. It completes the
 * sub-commands and the host's interfaces (from /sys/class/net) as the first word, the options of the
 * form being typed, the values of {@code -a} and {@code --macvlan-mode}, file names after {@code --batch}, guests (Docker
 * containers where docker answers, named network namespaces) where a guest goes, the DHCP words where
 * the address goes, and the first word of {@code ip route}, {@code ip rule} and {@code tc} after their
 * guest. Self-contained: it needs
 * bash only, not the bash-completion package.
 */
public final class Completion {
    /** First words that name no interface of the host: a dummy interface is made for the guest. */
    private static final List<String> HOST_WORDS = List.of("dummy");

    /** Words that stand for an address: DHCP, by busybox in a helper container or by a client of the host. */
    private static final List<String> ADDRESS_WORDS = List.of("dhcp", "udhcpc", "dhclient", "dhcpcd");

    /** The first words of {@code ip route}, {@code ip rule} and {@code tc}. */
    private static final Map<String, String> GUEST_COMMAND_WORDS = Map.of(
            "route", "add append change del delete flush get list replace save show",
            "rule", "add del delete flush list save show",
            "tc", "action chain class filter monitor qdisc");

    private final CommandModel model;
    private final String version;

    Completion(CommandModel model, String version) {
        this.model = model;
        this.version = version;
    }

    /** The script, to be sourced by bash. */
    public String render() {
        Set<String> valueOptions = new LinkedHashSet<>();
        List<CommandSpec> all = new ArrayList<>(List.of(model.attach));
        all.addAll(model.subcommands());
        for (CommandSpec spec : all) {
            for (OptionSpec o : spec.options()) {
                if (CommandModel.takesValue(o)) {
                    valueOptions.addAll(List.of(o.names()));
                }
            }
        }
        // The options whose values the model names (-a, --macvlan-mode) offer them; --batch and --config
        // offer file names; the others take free text.
        if (!valueOptions.containsAll(List.of("-a", "--macvlan-mode", "--batch"))) {
            throw new IllegalStateException("the completion offers values of -a, --macvlan-mode and --batch, which"
                    + " the model no longer has: " + valueOptions);
        }
        Map<String, List<String>> named = new LinkedHashMap<>();
        for (CommandSpec spec : all) {
            for (OptionSpec o : spec.options()) {
                List<String> values = Help.values(o);
                if (CommandModel.takesValue(o) && !values.isEmpty()) {
                    values.forEach(v -> {
                        if (o.shortestName().equals("-a")) {
                            Family.parse(v);
                        }
                    });
                    for (String name : o.names()) {
                        named.put(name, values);
                    }
                }
            }
        }
        StringBuilder valueCase = new StringBuilder();
        named.forEach((name, values) -> valueCase.append("        ").append(name)
                .append(") mapfile -t COMPREPLY < <(compgen -W '").append(String.join(" ", values))
                .append("' -- \"$cur\"); return 0 ;;\n"));
        List<String> otherValueOptions = new ArrayList<>(valueOptions);
        otherValueOptions.removeAll(List.of("--batch", "--config"));
        otherValueOptions.removeAll(named.keySet());
        List<String> subcommands = new ArrayList<>();
        model.subcommands().forEach(s -> subcommands.add(s.name()));
        subcommands.addAll(CommandModel.GUEST_COMMANDS);

        StringBuilder subOptions = new StringBuilder();
        for (CommandSpec sub : model.subcommands()) {
            subOptions.append("        ").append(sub.name()).append(") opts='")
                    .append(String.join(" ", CommandModel.optionNames(sub))).append("' ;;\n");
        }
        StringBuilder guestWords = new StringBuilder();
        for (String keyword : CommandModel.GUEST_COMMANDS) {
            guestWords.append("                        ").append(keyword).append(") words='")
                    .append(GUEST_COMMAND_WORDS.get(keyword)).append("' ;;\n");
        }

        return TEMPLATE
                .replace("@VERSION@", version)
                .replace("@FIRST_WORDS@", String.join(" ", subcommands) + " " + String.join(" ", HOST_WORDS))
                .replace("@ADDRESS_WORDS@", String.join(" ", ADDRESS_WORDS))
                .replace("@SUBCOMMAND_CASE@", String.join("|", subcommands))
                .replace("@OTHER_VALUE_OPTIONS@", String.join("|", otherValueOptions))
                .replace("@VALUE_OPTIONS@", String.join("|", valueOptions))
                .replace("@NAMED_VALUES@\n", valueCase.toString())
                .replace("@ATTACH_OPTIONS@", String.join(" ", CommandModel.optionNames(model.attach)))
                .replace("@SUB_OPTIONS@\n", subOptions.toString())
                .replace("@GUEST_WORDS@\n", guestWords.toString())
                .replace("@GUEST_COMMAND_CASE@", String.join("|", CommandModel.GUEST_COMMANDS))
                .replace("@NO_WORD_SUBCOMMANDS@", String.join("|", model.subcommands().stream()
                        .filter(s -> s.positionalParameters().isEmpty()).map(CommandSpec::name).toList()));
    }

    private static final String TEMPLATE = """
            # bash completion for pipework(1)                                    -*- shell-script -*-
            # Generated from the command model of pipework @VERSION@; do not edit.

            # The host's network interfaces.
            _pipework_links() {
                local link
                for link in /sys/class/net/*; do
                    [[ -e $link ]] && printf '%s\\n' "${link##*/}"
                done
            }

            # Guests by name: running Docker containers (where docker answers) and named network namespaces.
            _pipework_guests() {
                local ns
                if type -P docker >/dev/null 2>&1; then
                    if type -P timeout >/dev/null 2>&1; then
                        timeout 3 docker ps --format '{{.Names}}' 2>/dev/null
                    else
                        docker ps --format '{{.Names}}' 2>/dev/null
                    fi
                fi
                for ns in /var/run/netns/*; do
                    [[ -e $ns ]] && printf '%s\\n' "${ns##*/}"
                done
            }

            _pipework() {
                local cur=${COMP_WORDS[COMP_CWORD]} i w
                COMPREPLY=()

                # Readline splits "mac:52:54:..", IPv6 addresses and "--opt=value" at ':' and '=':
                # join those pieces back into the arguments pipework sees.
                local -a args=()
                local n=-1 glue=0
                for ((i = 0; i <= COMP_CWORD; i++)); do
                    w=${COMP_WORDS[i]}
                    if ((n >= 0)) && { ((glue)) || [[ $w == : || $w == = ]]; }; then
                        args[n]+=$w
                    else
                        n=$((n + 1))
                        args[n]=$w
                    fi
                    if [[ $w == : || $w == = ]]; then glue=1; else glue=0; fi
                done
                local word=${args[n]} prev=
                ((n > 0)) && prev=${args[n - 1]}
                # Within a word holding ':' or '=' there is nothing to offer.
                [[ $word == *[:=]* ]] && return 0

                case $prev in
            @NAMED_VALUES@
                    --batch|--config)
                        compopt -o filenames 2>/dev/null
                        mapfile -t COMPREPLY < <(compgen -f -- "$cur")
                        return 0 ;;
                    @OTHER_VALUE_OPTIONS@) return 0 ;;
                esac

                # The form being typed (the first word that is not an option) and how many words it has.
                local form= count=0
                for ((i = 1; i < n; i++)); do
                    w=${args[i]}
                    case $w in
                        @VALUE_OPTIONS@) i=$((i + 1)) ;;
                        -*) ;;
                        *)
                            if ((count == 0)); then
                                case $w in
                                    @SUBCOMMAND_CASE@) form=$w ;;
                                esac
                            fi
                            count=$((count + 1)) ;;
                    esac
                done

                local opts
                case $form in
            @SUB_OPTIONS@
                    @GUEST_COMMAND_CASE@) opts='' ;;
                    *) opts='@ATTACH_OPTIONS@' ;;
                esac
                if [[ $cur == -* ]]; then
                    mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
                    return 0
                fi

                local words=
                case $form in
                    '')
                        case $count in
                            0) words="@FIRST_WORDS@ $(_pipework_links) $opts" ;;
                            1) words=$(_pipework_guests) ;;
                            2) words='@ADDRESS_WORDS@' ;;
                        esac ;;
                    @GUEST_COMMAND_CASE@)
                        case $count in
                            1) words=$(_pipework_guests) ;;
                            2)
                                case $form in
            @GUEST_WORDS@
                                esac ;;
                        esac ;;
                    @NO_WORD_SUBCOMMANDS@) ;;
                    *)
                        ((count == 1)) && words=$(_pipework_guests) ;;
                esac
                mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
                return 0
            } &&
                complete -F _pipework pipework
            """;
}
