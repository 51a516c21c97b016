package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/livespec/livespec"
	"gopkg.in/yaml.v3"
)

// maxYAMLNodes bounds the nodes copied when re-encoding a sidecar entry, so
// that aliases cannot blow up a section's text.
const maxYAMLNodes = 1 << 16

// frontMatterMeta decodes front matter. ok is false unless it is a YAML
// mapping or empty.
func frontMatterMeta(fm []byte) (meta map[string]any, ok bool) {
	var doc yaml.Node
	if err := decodeYAML(fm, &doc); err != nil {
		return nil, errors.Is(err, io.EOF)
	}
	top := yamlDocRoot(&doc)
	if top == nil || (top.Kind == yaml.ScalarNode && top.Tag == "!!null") {
		return nil, true
	}
	if top.Kind != yaml.MappingNode {
		return nil, false
	}
	m, err := yamlMeta(top)
	if err != nil {
		return nil, false
	}
	return m, true
}

// decodeYAML decodes the first YAML document of b into n, turning a panic
// of the YAML library into an error.
func decodeYAML(b []byte, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	return yaml.NewDecoder(bytes.NewReader(b)).Decode(n)
}

func yamlDocRoot(doc *yaml.Node) *yaml.Node {
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			return nil
		}
		return doc.Content[0]
	}
	return doc
}

// yamlMeta decodes a mapping node into JSON-compatible values.
func yamlMeta(n *yaml.Node) (m map[string]any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, err
	}
	m, _ = jsonCompatible(v).(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

// jsonCompatible converts a decoded YAML value to JSON-compatible values: maps
// with string keys, []any, strings, numbers, bools and nil. Timestamps become
// RFC 3339 strings, non-finite floats and other values their YAML spelling.
func jsonCompatible(v any) any {
	switch v := v.(type) {
	case nil, string, bool, int, int64, uint64:
		return v
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return strconv.FormatFloat(v, 'g', -1, 64)
		}
		return v
	case time.Time:
		return v.Format(time.RFC3339Nano)
	case map[string]any:
		for k, e := range v {
			v[k] = jsonCompatible(e)
		}
		return v
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[fmt.Sprint(jsonCompatible(k))] = jsonCompatible(e)
		}
		return m
	case []any:
		for i, e := range v {
			v[i] = jsonCompatible(e)
		}
		return v
	}
	return fmt.Sprint(v)
}

// parseSidecar splits a YAML or JSON file: one section per top-level key.
func parseSidecar(filePath string, content []byte, isJSON bool) (*ParsedFile, error) {
	content = normalizeNewlines(content)
	top, err := decodeSidecar(filePath, content, isJSON)
	if err != nil {
		return nil, err
	}
	if top == nil {
		return &ParsedFile{}, nil
	}
	pf := &ParsedFile{}
	if top.Kind != yaml.MappingNode {
		t, err := encodeYAML(top)
		if err != nil {
			return nil, sidecarError(filePath, "YAML", content, err)
		}
		if t = NormalizeText(t); t != "" {
			pf.Sections = []livespec.Section{{Text: t, Hash: livespec.ContentHash(t)}}
		}
		return pf, nil
	}
	if pf.Meta, err = yamlMeta(top); err != nil {
		return nil, sidecarError(filePath, "YAML", content, err)
	}
	seen := map[string]bool{"": true}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		name := k.Value
		if k.Kind != yaml.ScalarNode {
			name, _ = encodeYAML(k)
		}
		name = cleanHeading(name)
		if name == "" {
			name = UntitledHeading
		}
		for n := 2; seen[name]; n++ {
			if c := name + " (" + strconv.Itoa(n) + ")"; !seen[c] {
				name = c
			}
		}
		seen[name] = true
		pair := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{k, v}}
		t, err := encodeYAML(pair)
		if err != nil {
			return nil, sidecarError(filePath+" "+strconv.Quote(name), "YAML", nil, err)
		}
		t = NormalizeText(t)
		pf.Sections = append(pf.Sections, livespec.Section{
			Heading: name,
			Level:   1,
			Text:    t,
			Hash:    livespec.ContentHash(t),
		})
	}
	return pf, nil
}

// decodeSidecar decodes a YAML or JSON file's top node; nil for an empty
// document.
func decodeSidecar(filePath string, content []byte, isJSON bool) (*yaml.Node, error) {
	var doc yaml.Node
	var err error
	if isJSON {
		err = decodeJSONNode(content, &doc)
	} else {
		err = decodeYAML(content, &doc)
	}
	if errors.Is(err, io.EOF) {
		return nil, nil // empty document
	}
	if err != nil {
		kind := "YAML"
		if isJSON {
			kind = "JSON"
		}
		return nil, sidecarError(filePath, kind, content, err)
	}
	top := yamlDocRoot(&doc)
	if top == nil || (top.Kind == yaml.ScalarNode && top.Tag == "!!null" && top.Value == "") {
		return nil, nil
	}
	return top, nil
}

// parseSidecarMeta reads only the top-level fields (Meta) of a YAML or
// JSON sidecar, for a sidecar that is not a spec file: its facts need
// them, not its sections. It fails where parseSidecar fails.
func parseSidecarMeta(filePath string, content []byte) (*ParsedFile, error) {
	isJSON := strings.EqualFold(path.Ext(filePath), ".json")
	top, err := decodeSidecar(filePath, normalizeNewlines(content), isJSON)
	if err != nil {
		return nil, err
	}
	if top == nil || top.Kind != yaml.MappingNode {
		return &ParsedFile{}, nil
	}
	pf := &ParsedFile{}
	if pf.Meta, err = yamlMeta(top); err != nil {
		return nil, sidecarError(filePath, "YAML", content, err)
	}
	return pf, nil
}

// encodeYAML re-encodes n in block style with two-space indentation,
// without comments or anchors (aliases are expanded).
func encodeYAML(n *yaml.Node) (s string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	budget := maxYAMLNodes
	c, err := yamlPlainCopy(n, &budget, 0)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(c); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	return b.String(), nil
}

// yamlPlainCopy copies n with block style, no comments and aliases expanded.
func yamlPlainCopy(n *yaml.Node, budget *int, depth int) (*yaml.Node, error) {
	*budget--
	if *budget < 0 || depth > 1000 {
		return nil, errors.New("yaml: document too large or too deeply nested after alias expansion")
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		return yamlPlainCopy(n.Alias, budget, depth+1)
	}
	c := &yaml.Node{Kind: n.Kind, Tag: n.Tag, Value: n.Value}
	if n.Kind == yaml.ScalarNode {
		switch n.Style & (yaml.LiteralStyle | yaml.FoldedStyle) {
		case 0:
			// Plain, or quoted where the plain form would change its type:
			// the encoder quotes as needed.
			if n.Tag == "" || n.Tag == "!" {
				c.Tag = "!!str"
			}
		default:
			c.Style = yaml.LiteralStyle
		}
	}
	if len(n.Content) > 0 {
		c.Content = make([]*yaml.Node, len(n.Content))
		for i, e := range n.Content {
			ec, err := yamlPlainCopy(e, budget, depth+1)
			if err != nil {
				return nil, err
			}
			c.Content[i] = ec
		}
	}
	return c, nil
}

// decodeJSONNode reads one JSON value from b into a YAML node tree that
// keeps the key order (a repeated key keeps its first place and its last
// value, as encoding/json does).
func decodeJSONNode(b []byte, doc *yaml.Node) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return io.EOF
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	n, err := jsonNode(dec, 0)
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	if err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("json: unexpected data after the top-level value")
	}
	*doc = yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{n}}
	return nil
}

func jsonNode(dec *json.Decoder, depth int) (*yaml.Node, error) {
	if depth > 10000 {
		return nil, errors.New("json: nested too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return nil, io.ErrUnexpectedEOF
		}
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			index := map[string]int{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, _ := kt.(string)
				v, err := jsonNode(dec, depth+1)
				if err != nil {
					return nil, err
				}
				if i, ok := index[key]; ok {
					n.Content[i+1] = v
					continue
				}
				index[key] = len(n.Content)
				n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return n, nil
		case '[':
			n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			for dec.More() {
				v, err := jsonNode(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return n, nil
		}
		return nil, fmt.Errorf("json: unexpected %v", t)
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: t}, nil
	case json.Number:
		tag := "!!float"
		if _, err := strconv.ParseInt(string(t), 10, 64); err == nil {
			tag = "!!int"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(t)}, nil
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(t)}, nil
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}, nil
	}
	return nil, fmt.Errorf("json: unexpected token %v", tok)
}

// sidecarError classifies a decoding error as EINVALID with a message that
// names the file and, where known, the line: "kep.yaml: invalid YAML: line
// 3: mapping values are not allowed in this context".
func sidecarError(filePath, kind string, content []byte, err error) error {
	detail := strings.TrimPrefix(err.Error(), "yaml: ")
	var te *yaml.TypeError
	if errors.As(err, &te) {
		detail = strings.Join(te.Errors, "; ")
	}
	var se *json.SyntaxError
	if errors.As(err, &se) && se.Offset > 0 && int(se.Offset) <= len(content) {
		detail = "line " + strconv.Itoa(1+bytes.Count(content[:se.Offset], []byte("\n"))) + ": " + detail
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		detail = "unexpected end of input"
	}
	return livespec.Errorf(livespec.EINVALID, "%s: invalid %s: %s", filePath, kind, detail)
}
