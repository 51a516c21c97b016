// Package deps pins the module's dependencies while the packages that use
// them are being written. Delete it once every dependency has a real import.
package deps

import (
	_ "github.com/bmatcuk/doublestar/v4"
	_ "github.com/gin-gonic/gin"
	_ "github.com/go-git/go-git/v5"
	_ "github.com/olebedev/when"
	_ "github.com/ollama/ollama/api"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/qdrant/go-client/qdrant"
	_ "github.com/schollz/progressbar/v3"
	_ "github.com/slack-go/slack"
	_ "github.com/yuin/goldmark"
	_ "golang.org/x/term"
	_ "gopkg.in/yaml.v3"
	_ "modernc.org/sqlite"
)
