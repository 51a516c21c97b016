package review

import (
	"go/ast"
	"path"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

var (
	// configTypeName is the name of a Go type that holds configuration.
	configTypeName = regexp.MustCompile(`(?:Config|Configuration|Settings|Conf|Cfg)$`)
	// configKeyName is a configuration key worth naming: three characters
	// or more, a letter first.
	configKeyName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{2,}$`)
	// envLine is `NAME=value` (or `export NAME=value`) in an env file.
	envLine = regexp.MustCompile(`(?m)^[ \t]*(?:export[ \t]+)?([A-Z][A-Z0-9_]*)[ \t]*=`)
	// tomlKey is `key = value` in TOML, tomlTable a `[table]` header.
	tomlKey   = regexp.MustCompile(`(?m)^[ \t]*([A-Za-z0-9_-]+)[ \t]*=`)
	tomlTable = regexp.MustCompile(`(?m)^[ \t]*\[\[?[ \t]*([A-Za-z0-9_.-]+)[ \t]*\]\]?`)
)

// exampleConfig returns how an example configuration file is read: "env"
// for an example environment file (.env.example, example.env), "yaml" or
// "toml" for an example configuration (config.example.yaml,
// settings.sample.json, app-config.default.toml: a word of configuration
// and a word of example in its name), "" for any other file.
func exampleConfig(p string) string {
	base := strings.ToLower(path.Base(p))
	words := strings.FieldsFunc(base, func(r rune) bool { return r == '.' || r == '-' || r == '_' })
	example, config := false, false
	for _, w := range words {
		switch w {
		case "example", "sample", "dist", "template", "default", "defaults":
			example = true
		case "config", "configuration", "settings", "conf", "cfg":
			config = true
		}
	}
	switch {
	case !example:
		return ""
	case strings.HasPrefix(base, ".env.") || strings.HasSuffix(base, ".env"):
		return "env"
	case !config:
		return ""
	}
	switch path.Ext(base) {
	case ".yaml", ".yml", ".json":
		return "yaml"
	case ".toml":
		return "toml"
	}
	return ""
}

// extractConfigFile reads the keys of an example configuration file: the
// mapping keys at every depth (YAML and JSON through a YAML parser, TOML
// through its key and table lines), or the variables of an env file. A
// file that does not parse gives nothing.
func extractConfigFile(kind string, src []byte) []occurrence {
	var out []occurrence
	add := func(k IdentKind, name string, line int) {
		if k == EnvVar && envName.MatchString(name) || k == ConfigKey && configKeyName.MatchString(name) {
			out = append(out, occurrence{Ident: Ident{Kind: k, Name: name}, Line: line, Public: true})
		}
	}
	switch kind {
	case "env":
		for _, m := range envLine.FindAllSubmatchIndex(src, -1) {
			add(EnvVar, string(src[m[2]:m[3]]), lineAt(src, m[2]))
		}
	case "toml":
		for _, re := range []*regexp.Regexp{tomlTable, tomlKey} {
			for _, m := range re.FindAllSubmatchIndex(src, -1) {
				for _, k := range strings.Split(string(src[m[2]:m[3]]), ".") {
					add(ConfigKey, k, lineAt(src, m[2]))
				}
			}
		}
	case "yaml":
		var doc yaml.Node
		if yaml.Unmarshal(src, &doc) != nil {
			return nil
		}
		var walk func(n *yaml.Node)
		walk = func(n *yaml.Node) {
			for i, c := range n.Content {
				if n.Kind == yaml.MappingNode && i%2 == 0 {
					add(ConfigKey, c.Value, c.Line)
					continue
				}
				walk(c)
			}
		}
		walk(&doc)
	}
	return out
}

// configFields are the fields of a Go file's configuration structs, whose
// JSON keys are configuration keys: a struct type named like a
// configuration (Config, ServerSettings) that a function of the file
// decodes from a file it reads (os.ReadFile or os.Open, then Unmarshal or
// Decode into a variable of the type), and the struct types of the file
// its fields use, inline ones included.
func configFields(f *ast.File) map[*ast.Field]bool {
	structs := map[string]*ast.StructType{}
	for _, d := range f.Decls {
		if gd, ok := d.(*ast.GenDecl); ok {
			for _, s := range gd.Specs {
				if ts, ok := s.(*ast.TypeSpec); ok {
					if st, ok := ts.Type.(*ast.StructType); ok {
						structs[ts.Name.Name] = st
					}
				}
			}
		}
	}
	out := map[*ast.Field]bool{}
	var mark func(name string)
	mark = func(name string) {
		st := structs[name]
		if st == nil {
			return
		}
		delete(structs, name) // each struct once
		ast.Inspect(st, func(n ast.Node) bool {
			if fl, ok := n.(*ast.Field); ok {
				out[fl] = true
				if t := typeName(fl.Type); t != "" {
					mark(t)
				}
			}
			return true
		})
	}
	for _, name := range decodedFromFiles(f) {
		if configTypeName.MatchString(name) {
			mark(name)
		}
	}
	return out
}

// decodedFromFiles are the types of the variables that a function of f
// decodes (Unmarshal, Decode) when it also opens or reads a file.
func decodedFromFiles(f *ast.File) []string {
	var out []string
	for _, d := range f.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Body == nil {
			continue
		}
		types := varTypes(fd)
		reads := false
		var into []string
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			name, recv := funcName(c.Fun)
			switch {
			case (name == "ReadFile" || name == "Open" || name == "OpenFile") && (recv == "os" || recv == "ioutil" || recv == "fs"):
				reads = true
			case (name == "Unmarshal" || name == "Decode") && len(c.Args) > 0:
				arg := c.Args[len(c.Args)-1]
				if u, ok := arg.(*ast.UnaryExpr); ok {
					arg = u.X
				}
				if id, ok := arg.(*ast.Ident); ok && types[id.Name] != "" {
					into = append(into, types[id.Name])
				}
			}
			return true
		})
		if reads {
			out = append(out, into...)
		}
	}
	return out
}

// varTypes are the named types of a function's parameters, results and
// local variables (var v T, v := T{}, v := &T{}, v := new(T)), pointers
// dereferenced.
func varTypes(fd *ast.FuncDecl) map[string]string {
	m := map[string]string{}
	for _, fl := range []*ast.FieldList{fd.Type.Params, fd.Type.Results} {
		if fl == nil {
			continue
		}
		for _, p := range fl.List {
			for _, n := range p.Names {
				m[n.Name] = typeName(p.Type)
			}
		}
	}
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch s := n.(type) {
		case *ast.ValueSpec:
			for _, v := range s.Names {
				m[v.Name] = typeName(s.Type)
			}
		case *ast.AssignStmt:
			for i, l := range s.Lhs {
				if id, ok := l.(*ast.Ident); ok && i < len(s.Rhs) && len(s.Lhs) == len(s.Rhs) {
					if t := valueType(s.Rhs[i]); t != "" {
						m[id.Name] = t
					}
				}
			}
		}
		return true
	})
	return m
}

// valueType is the named type of T{}, &T{} or new(T).
func valueType(e ast.Expr) string {
	if u, ok := e.(*ast.UnaryExpr); ok {
		e = u.X
	}
	switch v := e.(type) {
	case *ast.CompositeLit:
		return typeName(v.Type)
	case *ast.CallExpr:
		if id, ok := v.Fun.(*ast.Ident); ok && id.Name == "new" && len(v.Args) == 1 {
			return typeName(v.Args[0])
		}
	}
	return ""
}

// typeName is the name of a type of the same package, through pointers,
// slices and map values: Config of *Config, []Config, map[string]Config.
func typeName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.StarExpr:
		return typeName(t.X)
	case *ast.ArrayType:
		return typeName(t.Elt)
	case *ast.MapType:
		return typeName(t.Value)
	}
	return ""
}
