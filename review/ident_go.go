package review

import (
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// flagDefiner is the name of a function or method that defines a flag:
// flag.String, pflag's StringVarP, cobra's Flags().BoolP, or a
// project's own wrapper (f.string, f.list).
var flagDefiner = regexp.MustCompile(`(?i)^(string|bool|int|int64|int32|uint|uint64|float64|float32|duration|list|stringslice|stringarray|stringtostring|intslice|count|var|func|textvar|boolfunc|ip|bytes\w*)(var)?p?$`)

// routeMethod is a router method whose first argument is a route.
var routeMethod = regexp.MustCompile(`^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|Any|Handle|HandleFunc|Get|Post|Put|Patch|Delete|Head|Options|Match|Method|MethodFunc)$`)

// configTags are the struct tags whose names are configuration keys
// (json too in configuration structs: see configFields).
var configTags = []string{"yaml", "toml", "mapstructure", "koanf", "hcl", "ini"}

// extractGo reads a Go file with go/ast: flags, environment variables,
// routes (with the prefixes of router groups in the same function),
// configuration keys of struct tags, error codes, and the exported
// top-level names of a non-main package. A file that does not parse
// gives nothing.
func extractGo(p string, src []byte) []occurrence {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, p, src, parser.SkipObjectResolution)
	if err != nil {
		return nil
	}
	g := &goExtractor{fset: fset, pkg: f.Name.Name, hidden: map[string]bool{}, consts: fileConsts(f), configs: configFields(f)}
	g.topLevel(f)
	ast.Inspect(f, g.visit)
	for i := range g.out {
		if g.out[i].Kind == Flag && g.hidden[strings.TrimPrefix(g.out[i].Name, "--")] {
			g.out[i].Hidden, g.out[i].Public = true, false
		}
	}
	return g.out
}

type goExtractor struct {
	fset   *token.FileSet
	pkg    string
	out    []occurrence
	hidden map[string]bool
	groups map[string]string // variable → route prefix of a router group
	consts map[string]string // the file's string constants
	// configs are the fields of the file's configuration structs, whose
	// JSON keys are configuration keys too (see configFields).
	configs map[*ast.Field]bool
}

// fileConsts are the string constants a file declares at top level.
func fileConsts(f *ast.File) map[string]string {
	m := map[string]string{}
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if i < len(vs.Values) {
					if v, ok := stringLit(vs.Values[i]); ok {
						m[n.Name] = v
					}
				}
			}
		}
	}
	return m
}

// str is the value of a string literal, or of a constant of the file.
func (g *goExtractor) str(e ast.Expr) (string, bool) {
	if id, ok := e.(*ast.Ident); ok {
		v, ok := g.consts[id.Name]
		return v, ok
	}
	return stringLit(e)
}

func (g *goExtractor) add(kind IdentKind, name string, pos token.Pos, public bool) {
	g.out = append(g.out, occurrence{Ident: Ident{Kind: kind, Name: name}, Line: g.fset.Position(pos).Line, Public: public})
}

// topLevel adds the exported names and error codes of the file's
// declarations.
func (g *goExtractor) topLevel(f *ast.File) {
	exported := g.pkg != "main"
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil && exported && d.Name.IsExported() {
				g.add(Exported, g.pkg+"."+d.Name.Name, d.Name.Pos(), false)
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					if exported && s.Name.IsExported() {
						g.add(Exported, g.pkg+"."+s.Name.Name, s.Name.Pos(), false)
					}
				case *ast.ValueSpec:
					g.valueSpec(d.Tok, s, exported)
				}
			}
		}
	}
}

// valueSpec adds exported constants and variables, and the values of
// error-code constants (EINVALID = "invalid", a constant of a type named
// ...Code).
func (g *goExtractor) valueSpec(tok token.Token, s *ast.ValueSpec, exported bool) {
	typeName := ""
	if id, ok := s.Type.(*ast.Ident); ok {
		typeName = id.Name
	}
	for i, n := range s.Names {
		if exported && n.IsExported() {
			g.add(Exported, g.pkg+"."+n.Name, n.Pos(), false)
		}
		if tok != token.CONST || i >= len(s.Values) {
			continue
		}
		v, ok := stringLit(s.Values[i])
		if !ok || !errCodeValue.MatchString(v) {
			continue
		}
		if isErrorCodeName(n.Name) || strings.HasSuffix(typeName, "Code") && n.IsExported() {
			g.add(ErrorCode, v, n.Pos(), true)
		}
	}
}

// isErrorCodeName: EINVALID, ENOTFOUND (an E and capitals, as errno).
func isErrorCodeName(n string) bool {
	if len(n) < 4 || n[0] != 'E' {
		return false
	}
	for _, r := range n[1:] {
		if !unicode.IsUpper(r) && r != '_' {
			return false
		}
	}
	return true
}

func (g *goExtractor) visit(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.FuncDecl, *ast.FuncLit:
		g.groups = map[string]string{}
	case *ast.AssignStmt:
		g.group(n)
	case *ast.CallExpr:
		g.call(n)
	case *ast.CompositeLit:
		g.routeLiteral(n)
	case *ast.Field:
		g.tags(n)
	}
	return true
}

// group records `v := r.Group("/v1")`: the routes of v start with /v1.
func (g *goExtractor) group(a *ast.AssignStmt) {
	if len(a.Lhs) != 1 || len(a.Rhs) != 1 || g.groups == nil {
		return
	}
	id, ok := a.Lhs[0].(*ast.Ident)
	call, ok2 := a.Rhs[0].(*ast.CallExpr)
	if !ok || !ok2 || len(call.Args) == 0 {
		return
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || (sel.Sel.Name != "Group" && sel.Sel.Name != "Route" && sel.Sel.Name != "PathPrefix") {
		return
	}
	prefix, ok := stringLit(call.Args[0])
	if !ok || !strings.HasPrefix(prefix, "/") {
		return
	}
	if x, ok := sel.X.(*ast.Ident); ok {
		prefix = g.groups[x.Name] + prefix
	}
	g.groups[id.Name] = strings.TrimRight(prefix, "/")
}

func (g *goExtractor) call(c *ast.CallExpr) {
	name, recv := funcName(c.Fun)
	low := strings.ToLower(name)
	switch {
	case name == "MarkHidden" || name == "MarkDeprecated":
		if len(c.Args) > 0 {
			if v, ok := stringLit(c.Args[0]); ok {
				g.hidden[v] = true
			}
		}
	case strings.Contains(low, "getenv") || strings.Contains(low, "lookupenv"):
		if len(c.Args) > 0 {
			if v, ok := g.str(c.Args[0]); ok && envName.MatchString(v) {
				g.add(EnvVar, v, c.Args[0].Pos(), true)
			}
		}
	case routeMethod.MatchString(name) && len(c.Args) >= 2:
		g.routeCall(c, recv)
	case flagDefiner.MatchString(name) && len(c.Args) >= 3 && isSelector(c.Fun):
		g.flagCall(c) // a definer is a method or a package's function, never a local func
	}
}

// flagCall adds the flag a definer call defines: its name is the first
// argument, or the second after a pointer or value; the last argument is
// the usage text (a literal, a constant, a concatenation or a call).
func (g *goExtractor) flagCall(c *ast.CallExpr) {
	switch c.Args[len(c.Args)-1].(type) {
	case *ast.BasicLit, *ast.Ident, *ast.SelectorExpr, *ast.BinaryExpr, *ast.CallExpr:
	default:
		return
	}
	for i, a := range c.Args[:2] {
		if v, ok := stringLit(a); ok {
			if flagName.MatchString(v) && len(v) > 1 {
				g.add(Flag, "--"+v, a.Pos(), true)
			}
			return
		}
		if i == 0 && !isValueArg(a) {
			return
		}
	}
}

func isSelector(e ast.Expr) bool {
	_, ok := e.(*ast.SelectorExpr)
	return ok
}

// isValueArg: &x, x, x.y, new(T) — what a Var definer takes first.
func isValueArg(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.UnaryExpr:
		return e.Op == token.AND
	case *ast.Ident, *ast.SelectorExpr, *ast.CallExpr:
		return true
	}
	return false
}

func (g *goExtractor) routeCall(c *ast.CallExpr, recv string) {
	v, ok := stringLit(c.Args[0])
	if !ok {
		return
	}
	if m, rest, ok := strings.Cut(v, " "); ok && strings.ToUpper(m) == m {
		v = strings.TrimSpace(rest) // Go 1.22 patterns: "GET /v1/ask"
	}
	if !strings.HasPrefix(v, "/") {
		return
	}
	if r := normalRoute(g.groups[recv] + v); r != "" {
		g.add(Route, r, c.Args[0].Pos(), true)
		g.out[len(g.out)-1].Literal = v
	}
}

// routeLiteral adds the route of a composite literal that names one in a
// route table: {method: "GET", path: "/v1/ask"}, or a field named route
// or pattern.
func (g *goExtractor) routeLiteral(cl *ast.CompositeLit) {
	var route ast.Expr
	method := false
	for _, e := range cl.Elts {
		kv, ok := e.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		k, ok := kv.Key.(*ast.Ident)
		if !ok {
			continue
		}
		switch strings.ToLower(k.Name) {
		case "method":
			v, ok := stringLit(kv.Value)
			method = method || ok && routeMethod.MatchString(v)
		case "route", "pattern":
			route, method = kv.Value, true
		case "path":
			route = kv.Value
		}
	}
	if route == nil || !method {
		return
	}
	if v, ok := stringLit(route); ok {
		if r := normalRoute(v); r != "" {
			g.add(Route, r, route.Pos(), true)
		}
	}
}

// tags adds the configuration keys of a struct field's tags.
func (g *goExtractor) tags(f *ast.Field) {
	if f.Tag == nil {
		return
	}
	raw, err := strconv.Unquote(f.Tag.Value)
	if err != nil {
		return
	}
	tag := reflect.StructTag(raw)
	keys := configTags
	if g.configs[f] {
		keys = append(keys[:len(keys):len(keys)], "json")
	}
	for _, t := range keys {
		name, _, _ := strings.Cut(tag.Get(t), ",")
		if name != "" && name != "-" && len(name) > 2 {
			g.add(ConfigKey, name, f.Tag.Pos(), true)
			return
		}
	}
	if v, _, _ := strings.Cut(tag.Get("env"), ","); envName.MatchString(v) {
		g.add(EnvVar, v, f.Tag.Pos(), true)
	}
}

// funcName is the called function's name and, for a method, the name of
// its receiver variable.
func funcName(e ast.Expr) (name, recv string) {
	switch f := e.(type) {
	case *ast.Ident:
		return f.Name, ""
	case *ast.SelectorExpr:
		if x, ok := f.X.(*ast.Ident); ok {
			recv = x.Name
		}
		return f.Sel.Name, recv
	}
	return "", ""
}

func stringLit(e ast.Expr) (string, bool) {
	b, ok := e.(*ast.BasicLit)
	if !ok || b.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(b.Value)
	return s, err == nil
}
