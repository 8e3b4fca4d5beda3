package dev.pipework.render;

import dev.pipework.json.Json;

/** JSON documents, pretty-printed, one per command. */
final class JsonRenderer extends DocumentRenderer {

    @Override
    String write(Object document) {
        return Json.writePretty(document);
    }
}
