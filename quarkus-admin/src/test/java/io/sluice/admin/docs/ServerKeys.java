package io.sluice.admin.docs;

import com.sun.source.doctree.DocCommentTree;
import com.sun.source.doctree.DocTree;
import com.sun.source.doctree.EntityTree;
import com.sun.source.doctree.LinkTree;
import com.sun.source.doctree.LiteralTree;
import com.sun.source.doctree.TextTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.util.DocTrees;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePathScanner;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.ConfigMappingInterface.Property;
import io.smallrye.config.ConfigMappings;
import io.smallrye.config.WithName;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * The keys of a SmallRye {@link ConfigMapping} interface with their documentation. SmallRye itself names the keys and
 * knows their defaults ({@link ConfigMappings#getProperties}); the documentation is each method's Javadoc, which only
 * the source file holds, read with the JDK's own parser (javac's tree API, parse only: no classpath needed). The
 * source also gives the declaration order. A key without Javadoc, or a key SmallRye knows and the source walk does
 * not reach (or the reverse), is an error rather than a silent gap.
 *
 * @param prefix the mapping's prefix, {@code sluice}
 * @param groups the mapping's own keys first, then each nested group's, in declaration order
 */
record ServerKeys(String prefix, List<Group> groups) {

    /** The keys of one interface: the mapping itself or a nested group. */
    record Group(String prefix, String doc, List<Key> keys) {
    }

    /**
     * One key.
     *
     * @param defaultValue SmallRye's default, or null when there is none
     * @param optional whether the key may be absent ({@code Optional}): no default then means none, not required
     * @param allowed the values an enum key takes; empty otherwise
     * @param doc the method's Javadoc as Markdown for a table cell
     */
    record Key(String name, String environment, String type, String defaultValue, boolean optional, List<String> allowed, String doc) {
    }

    /** Reads {@code mapping}'s keys, documented by the Javadoc in {@code source}. */
    static ServerKeys read(Class<?> mapping, Path source) {
        ConfigMapping annotation = mapping.getAnnotation(ConfigMapping.class);
        if (annotation == null) {
            throw new IllegalStateException(mapping.getName() + " is not a @ConfigMapping");
        }
        Map<String, Property> properties = ConfigMappings.getProperties(new ConfigMappings.ConfigClass(mapping, annotation.prefix()));
        Javadoc javadoc = Javadoc.parse(source, mapping);
        Walk walk = new Walk(annotation.namingStrategy(), properties, javadoc);
        walk.group(annotation.prefix(), mapping, () -> "");
        List<Group> groups = walk.groups();
        Set<String> unreached = new TreeSet<>(properties.keySet());
        groups.forEach(g -> g.keys().forEach(k -> unreached.remove(k.name())));
        // A list key is known as itself and as its indexed form, key[*]; the walk reaches it as itself.
        groups.forEach(g -> g.keys().forEach(k -> unreached.remove(k.name() + "[*]")));
        if (!unreached.isEmpty()) {
            throw new IllegalStateException("keys of " + mapping.getName() + " that the walk over " + source + " did not reach: " + unreached);
        }
        return new ServerKeys(annotation.prefix(), groups);
    }

    /**
     * Depth-first over the mapping's methods in source order; a group's keys form a table of their own. Documentation
     * is rendered once the walk is over, when every group's prefix is known for links to it.
     */
    private static final class Walk {
        private final ConfigMapping.NamingStrategy naming;
        private final Map<String, Property> properties;
        private final Javadoc javadoc;
        private final List<Supplier<Group>> groups = new ArrayList<>();
        /** Each group interface's key prefix, for {@code {@link Group}} in documentation. */
        private final Map<Class<?>, String> groupPrefixes = new HashMap<>();

        Walk(ConfigMapping.NamingStrategy naming, Map<String, Property> properties, Javadoc javadoc) {
            this.naming = naming;
            this.properties = properties;
            this.javadoc = javadoc;
        }

        /** @param doc the group's documentation, rendered when the walk is over */
        void group(String prefix, Class<?> type, Supplier<String> doc) {
            groupPrefixes.put(type, prefix);
            List<Supplier<Key>> keys = new ArrayList<>();
            List<Runnable> nested = new ArrayList<>();
            for (String methodName : javadoc.methods(type)) {
                Method method = method(type, methodName);
                WithName name = method.getAnnotation(WithName.class);
                String key = prefix + "." + (name != null ? name.value() : naming.apply(methodName));
                Property property = properties.get(key);
                Class<?> value = valueClass(method.getGenericReturnType());
                if (property != null) {
                    keys.add(() -> key(key, property, value, method));
                } else if (value.isInterface() && value.getEnclosingClass() != null) {
                    nested.add(() -> group(key, value, () -> (javadoc.text(type, methodName, this::link) + " "
                            + javadoc.typeText(value, this::link)).trim()));
                } else {
                    throw new IllegalStateException(type.getName() + "." + methodName + "() is neither a key SmallRye knows nor a group");
                }
            }
            if (!keys.isEmpty()) {
                groups.add(() -> new Group(prefix, doc.get(), keys.stream().map(Supplier::get).toList()));
            }
            nested.forEach(Runnable::run);
        }

        List<Group> groups() {
            return groups.stream().map(Supplier::get).toList();
        }

        private Key key(String name, Property property, Class<?> value, Method method) {
            String doc = javadoc.text(method.getDeclaringClass(), method.getName(), this::link);
            if (doc.isEmpty()) {
                throw new IllegalStateException(method.getDeclaringClass().getName() + "." + method.getName()
                        + "() has no Javadoc; it is the description of " + name + " in the configuration reference");
            }
            List<String> allowed = value.isEnum() ? Arrays.stream(value.getEnumConstants())
                    .map(c -> ((Enum<?>) c).name().toLowerCase(Locale.ROOT).replace('_', '-')).toList() : List.of();
            return new Key(name, name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"), typeName(value),
                    property.hasDefaultValue() ? property.getDefaultValue() : null, property.isOptional() || method.getReturnType() == Optional.class,
                    allowed, doc);
        }

        /** A link to a group reads as its keys, {@code sluice.connect.*}; any other as its name. */
        private String link(String signature) {
            return groupPrefixes.entrySet().stream()
                    .filter(e -> e.getKey().getSimpleName().equals(signature) || e.getKey().getName().endsWith("$" + signature))
                    .map(e -> ConfigurationReference.code(e.getValue() + ".*")).findFirst()
                    .orElse(ConfigurationReference.code(signature));
        }

        private static Method method(Class<?> type, String name) {
            try {
                return type.getMethod(name);
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(type.getName() + "." + name + "() is in the source but not in the compiled class: rebuild", e);
            }
        }
    }

    /** {@code Optional<X>} and its primitive kin stand for X. */
    private static Class<?> valueClass(Type type) {
        if (type instanceof ParameterizedType p && p.getRawType() == Optional.class && p.getActualTypeArguments()[0] instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p && p.getRawType() == Optional.class && p.getActualTypeArguments()[0] instanceof ParameterizedType list
                && list.getRawType() == List.class) {
            return List.class;
        }
        if (type == OptionalInt.class) {
            return int.class;
        }
        if (type == OptionalLong.class) {
            return long.class;
        }
        if (type instanceof Class<?> c) {
            return c;
        }
        throw new IllegalStateException("no type name for " + type);
    }

    private static String typeName(Class<?> value) {
        if (value.isEnum()) {
            return "enum";
        }
        if (value == String.class) {
            return "string";
        }
        if (value == Duration.class) {
            return "duration";
        }
        if (value == List.class) {
            return "list (comma-separated)";
        }
        if (value.isPrimitive()) {
            return value.getName();
        }
        return switch (value.getSimpleName()) {
            case "Boolean" -> "boolean";
            case "Integer" -> "int";
            case "Short", "Long", "Double" -> value.getSimpleName().toLowerCase(Locale.ROOT);
            default -> throw new IllegalStateException("no type name for " + value.getName() + ": add one to " + ServerKeys.class.getName());
        };
    }

    /** The Javadoc of the types and methods of one source file, in declaration order. */
    private record Javadoc(Class<?> root, Map<String, LinkedHashMap<String, DocCommentTree>> methods, Map<String, DocCommentTree> types) {

        static Javadoc parse(Path source, Class<?> root) {
            if (!Files.isRegularFile(source)) {
                throw new IllegalStateException("no source file " + source.toAbsolutePath() + " for the Javadoc of " + root.getName());
            }
            JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
            if (compiler == null) {
                throw new IllegalStateException("the Javadoc of " + root.getName() + " is read with javac's tree API: run on a JDK");
            }
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
                JavacTask task = (JavacTask) compiler.getTask(null, files, diagnostics, List.of("-proc:none"), null,
                        files.getJavaFileObjects(source));
                DocTrees trees = DocTrees.instance(task);
                Javadoc javadoc = new Javadoc(root, new LinkedHashMap<>(), new HashMap<>());
                for (CompilationUnitTree unit : task.parse()) {
                    javadoc.scan(unit, trees);
                }
                if (!diagnostics.getDiagnostics().isEmpty()) {
                    throw new IllegalStateException("cannot parse " + source + ": " + diagnostics.getDiagnostics());
                }
                return javadoc;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void scan(CompilationUnitTree unit, DocTrees trees) {
            Deque<String> enclosing = new ArrayDeque<>();
            new TreePathScanner<Void, Void>() {
                @Override
                public Void visitClass(ClassTree type, Void unused) {
                    enclosing.addLast(type.getSimpleName().toString());
                    String name = String.join("$", enclosing);
                    types.put(name, trees.getDocCommentTree(getCurrentPath()));
                    methods.put(name, new LinkedHashMap<>());
                    super.visitClass(type, null);
                    enclosing.removeLast();
                    return null;
                }

                @Override
                public Void visitMethod(MethodTree method, Void unused) {
                    if (method.getBody() == null && method.getParameters().isEmpty()) {
                        methods.get(String.join("$", enclosing)).put(method.getName().toString(), trees.getDocCommentTree(getCurrentPath()));
                    }
                    return null;
                }
            }.scan(unit, null);
        }

        /** The abstract methods of {@code type}, in source order. */
        List<String> methods(Class<?> type) {
            LinkedHashMap<String, DocCommentTree> declared = methods.get(key(type));
            if (declared == null) {
                throw new IllegalStateException(type.getName() + " is not declared in the source file of " + root.getName());
            }
            return List.copyOf(declared.keySet());
        }

        String text(Class<?> type, String method, Function<String, String> link) {
            return markdown(methods.get(key(type)).get(method), link);
        }

        String typeText(Class<?> type, Function<String, String> link) {
            return markdown(types.get(key(type)), link);
        }

        /** The binary name within the root's package: {@code SluiceConfig$Connect}. */
        private String key(Class<?> type) {
            String pkg = root.getPackageName();
            return pkg.isEmpty() ? type.getName() : type.getName().substring(pkg.length() + 1);
        }

        /** The first sentence and the rest of the body, inline tags as Markdown; block tags are left out. */
        private static String markdown(DocCommentTree doc, Function<String, String> link) {
            if (doc == null) {
                return "";
            }
            StringBuilder out = new StringBuilder();
            for (DocTree tree : doc.getFullBody()) {
                out.append(switch (tree.getKind()) {
                    case TEXT -> ConfigurationReference.escape(((TextTree) tree).getBody());
                    case CODE, LITERAL -> ConfigurationReference.code(((LiteralTree) tree).getBody().getBody());
                    case LINK, LINK_PLAIN -> link.apply(((LinkTree) tree).getReference().getSignature());
                    case ENTITY -> "&" + ((EntityTree) tree).getName() + ";";
                    case START_ELEMENT, END_ELEMENT -> " ";
                    default -> ConfigurationReference.escape(tree.toString());
                });
            }
            return out.toString().replaceAll("\\s+", " ").trim();
        }
    }
}
