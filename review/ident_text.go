package review

import "regexp"

// textPattern finds one kind of identifier in the source of a language
// family: its first group is the identifier.
type textPattern struct {
	kind   IdentKind
	re     *regexp.Regexp
	public bool
}

// textPatterns are the identifiers of the languages review reads without
// a parser: simple patterns for the calls that define flags, read
// variables and declare routes, tested one by one.
var textPatterns = map[string][]textPattern{
	"js": {
		{EnvVar, regexp.MustCompile(`process\.env\.([A-Z][A-Z0-9_]+)`), true},
		{EnvVar, regexp.MustCompile(`process\.env\[\s*['"]([A-Z][A-Z0-9_]+)['"]\s*\]`), true},
		{EnvVar, regexp.MustCompile(`import\.meta\.env\.([A-Z][A-Z0-9_]+)`), true},
		{EnvVar, regexp.MustCompile(`Deno\.env\.get\(\s*['"]([A-Z][A-Z0-9_]+)['"]`), true},
		{Route, regexp.MustCompile("\\b\\w+\\.(?:get|post|put|patch|delete|all|route)\\(\\s*['\"`](/[^'\"`\\s]*)['\"`]"), true},
		{Flag, regexp.MustCompile(`\.(?:option|requiredOption)\(\s*['"](?:-\w,?\s*)?(--[a-z][a-z0-9-]*)`), true},
		{Exported, regexp.MustCompile(`(?m)^export\s+(?:default\s+)?(?:declare\s+)?(?:async\s+)?(?:function\*?|class|const|let|var|interface|type|enum)\s+([A-Za-z_$][\w$]*)`), false},
	},
	"py": {
		{EnvVar, regexp.MustCompile(`os\.environ\[\s*['"]([A-Z][A-Z0-9_]+)['"]\s*\]`), true},
		{EnvVar, regexp.MustCompile(`os\.(?:environ\.get|getenv)\(\s*['"]([A-Z][A-Z0-9_]+)['"]`), true},
		{Flag, regexp.MustCompile(`add_argument\(\s*(?:['"]-\w['"]\s*,\s*)?['"](--[a-z][a-z0-9-]*)['"]`), true},
		{Flag, regexp.MustCompile(`click\.option\(\s*(?:['"]-\w['"]\s*,\s*)?['"](--[a-z][a-z0-9-]*)['"]`), true},
		{Route, regexp.MustCompile(`@\w+\.(?:route|get|post|put|patch|delete|api_route)\(\s*['"](/[^'"]*)['"]`), true},
		{Exported, regexp.MustCompile(`(?m)^(?:async\s+)?(?:def|class)\s+([A-Za-z]\w*)`), false},
	},
	"rb": {
		{EnvVar, regexp.MustCompile(`ENV(?:\[\s*|\.fetch\(\s*)['"]([A-Z][A-Z0-9_]+)['"]`), true},
	},
	"java": {
		{EnvVar, regexp.MustCompile(`System\.getenv\(\s*"([A-Z][A-Z0-9_]+)"`), true},
		{Route, regexp.MustCompile(`@(?:Get|Post|Put|Patch|Delete|Request)Mapping\(\s*(?:(?:value|path)\s*=\s*)?"(/[^"]*)"`), true},
	},
	"kt": {
		{EnvVar, regexp.MustCompile(`System\.getenv\(\s*"([A-Z][A-Z0-9_]+)"`), true},
		{Route, regexp.MustCompile(`@(?:Get|Post|Put|Patch|Delete|Request)Mapping\(\s*(?:(?:value|path)\s*=\s*)?"(/[^"]*)"`), true},
	},
	"rs": {
		{EnvVar, regexp.MustCompile(`env::var(?:_os)?\(\s*"([A-Z][A-Z0-9_]+)"`), true},
		{Flag, regexp.MustCompile(`#\[(?:arg|clap)\([^)]*\blong\s*=\s*"([a-z][a-z0-9-]*)"`), true},
	},
}

// extractText finds the identifiers of a file of a language family with
// textPatterns.
func extractText(lang string, src []byte) []occurrence {
	var out []occurrence
	for _, p := range textPatterns[lang] {
		for _, m := range p.re.FindAllSubmatchIndex(src, -1) {
			name := string(src[m[2]:m[3]])
			switch p.kind {
			case Route:
				if name = normalRoute(name); name == "" {
					continue
				}
			case Flag:
				if name[0] != '-' {
					name = "--" + name
				}
			case EnvVar:
				if !envName.MatchString(name) {
					continue
				}
			case Exported:
				if lang == "py" && name[0] == '_' {
					continue
				}
			}
			out = append(out, occurrence{Ident: Ident{Kind: p.kind, Name: name}, Line: lineAt(src, m[2]), Public: p.public})
		}
	}
	return out
}
