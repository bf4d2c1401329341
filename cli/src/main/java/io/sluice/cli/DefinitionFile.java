package io.sluice.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/** A definition a command applies from a file (a view, a rule set): one JSON or YAML object. */
final class DefinitionFile {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final long MAX_FILE = 1 << 20;

    private DefinitionFile() {
    }

    /**
     * A definition file as a tree: JSON or YAML, either way; errors name the file, the line and what was expected.
     *
     * @param what what the file holds, for messages ("a view definition")
     * @param shape what that is made of, for messages
     */
    static JsonNode read(Path file, String what, String shape) {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_FILE) {
                throw new CliException(ExitCode.INVALID, file + ": " + Files.size(file) + " bytes; " + what + " is a few kilobytes (at most "
                        + MAX_FILE + "): is it the right file?");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CliException(ExitCode.USAGE, file + ": no such file; give the path of " + what + " in JSON or YAML");
        } catch (IOException e) {
            throw new CliException(ExitCode.USAGE, file + ": cannot read it (" + e.getClass().getSimpleName() + "): check its permissions");
        }
        JsonNode tree;
        try {
            // YAML reads JSON too, but JSON's own parser reports JSON's mistakes better.
            String text = new String(bytes, StandardCharsets.UTF_8).stripLeading();
            tree = text.startsWith("{") || text.startsWith("[") ? ApiClient.JSON.readTree(bytes) : YAML.readTree(bytes);
        } catch (JsonProcessingException e) {
            String where;
            String problem;
            if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
                where = " line " + (yaml.getProblemMark().getLine() + 1) + " column " + (yaml.getProblemMark().getColumn() + 1);
                problem = yaml.getProblem();
            } else {
                JsonLocation at = e.getLocation();
                where = at == null ? "" : " line " + at.getLineNr() + " column " + at.getColumnNr();
                problem = e.getOriginalMessage();
            }
            throw new CliException(ExitCode.INVALID, file + where + ": " + problem + "; " + what + " is " + shape);
        } catch (IOException e) {
            throw new CliException(ExitCode.USAGE, file + ": cannot read it (" + e.getClass().getSimpleName() + ")");
        }
        if (tree == null || !tree.isObject()) {
            throw new CliException(ExitCode.INVALID, file + ": holds " + (tree == null || tree.isMissingNode() || tree.isNull() ? "nothing"
                    : tree.isArray() ? "a list" : "a single value") + "; " + what + " is " + shape);
        }
        return tree;
    }

}
