package com.evolutionprovisioner.simulator;

import static jakarta.json.JsonValue.ValueType.FALSE;
import static jakarta.json.JsonValue.ValueType.OBJECT;
import static jakarta.json.JsonValue.ValueType.STRING;
import static jakarta.json.JsonValue.ValueType.TRUE;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.JsonValue.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Validates a request body the way Evolution's {@code RouterBroker.dataValidate()} does with the jsonschema package,
 * and words the errors like it: the validator's "stack" minus its first {@code instance.}, e.g.
 * {@code webhook.url is not of a type(s) string} or {@code instance requires property "webhook"}. Evolution passes the
 * whole list as one argument to BadRequestException, so clients receive it nested: {@code "message":[["..."]]}.
 * Checks run in the order the caller lists them, which should follow the schema's own order.
 */
final class SchemaCheck {

    private final JsonObject object;
    private final String path;
    private final List<String> messages;

    private SchemaCheck(JsonObject object, String path, List<String> messages) {
        this.object = object;
        this.path = path;
        this.messages = messages;
    }

    static SchemaCheck of(JsonObject body) {
        return new SchemaCheck(body, "instance", new ArrayList<>());
    }

    /** Checks on a nested object; its messages join this check's. */
    SchemaCheck nested(String field, JsonObject value) {
        return new SchemaCheck(value, path + "." + field, messages);
    }

    SchemaCheck string(String... fields) {
        return type("string", Set.of(STRING), fields);
    }

    SchemaCheck bool(String... fields) {
        return type("boolean", Set.of(TRUE, FALSE), fields);
    }

    SchemaCheck object(String... fields) {
        return type("object", Set.of(OBJECT), fields);
    }

    /** A string that must match {@code pattern} somewhere, as JavaScript's RegExp.test() does. */
    SchemaCheck pattern(String field, Pattern pattern) {
        string(field);
        if (object.get(field) instanceof JsonString value && !pattern.matcher(value.getString()).find()) {
            add(path + "." + field + " does not match pattern " + Json.createValue(pattern.pattern()));
        }
        return this;
    }

    /** An array of event names, each one of {@code allowed}. */
    SchemaCheck events(String field, List<String> allowed) {
        JsonValue value = object.get(field);
        if (value == null) {
            return this;
        }
        if (!(value instanceof JsonArray array)) {
            add(path + "." + field + " is not of a type(s) array");
            return this;
        }
        for (int i = 0; i < array.size(); i++) {
            String item = path + "." + field + "[" + i + "]";
            if (array.get(i).getValueType() != STRING) {
                add(item + " is not of a type(s) string");
            }
            if (!(array.get(i) instanceof JsonString name && allowed.contains(name.getString()))) {
                add(item + " is not one of enum values: " + String.join(",", allowed));
            }
        }
        return this;
    }

    SchemaCheck required(String... fields) {
        for (String field : fields) {
            if (!object.containsKey(field)) {
                add(path + " requires property \"" + field + "\"");
            }
        }
        return this;
    }

    /** Fields another version's schema knows; this one refuses them as additional properties. */
    SchemaCheck notAllowed(String... fields) {
        for (String field : fields) {
            if (object.containsKey(field)) {
                add(path + " is not allowed to have the additional property \"" + field + "\"");
            }
        }
        return this;
    }

    /** A failure whose schema carries a description: Evolution reports the description verbatim. */
    SchemaCheck fail(String description) {
        messages.add(description);
        return this;
    }

    /** Throws Evolution's 400 if any check failed. */
    void orReject() {
        if (!messages.isEmpty()) {
            JsonArray nested = Json.createArrayBuilder().add(Json.createArrayBuilder(messages)).build();
            throw new Reply.Rejection(Reply.error(400, "Bad Request", nested));
        }
    }

    private SchemaCheck type(String typeName, Set<ValueType> accepted, String... fields) {
        for (String field : fields) {
            JsonValue value = object.get(field);
            if (value != null && !accepted.contains(value.getValueType())) {
                add(path + "." + field + " is not of a type(s) " + typeName);
            }
        }
        return this;
    }

    private void add(String stack) {
        messages.add(stack.replaceFirst("instance\\.", ""));
    }
}
