// Oracle for weir-template tests: runs each template of cases.json through Go's
// text/template and prints the output or error. Written for this project; see regenerate.sh.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/template"
)

func norm(v interface{}) interface{} {
	switch x := v.(type) {
	case float64:
		if x == float64(int64(x)) && !strings.Contains(fmt.Sprint(x), "e") {
			return int(x)
		}
		return x
	case []interface{}:
		for i := range x {
			x[i] = norm(x[i])
		}
		return x
	case map[string]interface{}:
		for k := range x {
			x[k] = norm(x[k])
		}
		return x
	}
	return v
}

type res struct {
	Out string `json:"out"`
	Err string `json:"err"`
	Phase string `json:"phase"`
}

func main() {
	var in struct {
		Data  interface{} `json:"data"`
		Cases []string    `json:"cases"`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		panic(err)
	}
	data := norm(in.Data)
	var out []res
	for _, c := range in.Cases {
		t, err := template.New("t").Parse(c)
		if err != nil {
			out = append(out, res{"", err.Error(), "parse"})
			continue
		}
		var b strings.Builder
		err = t.Execute(&b, data)
		if err != nil {
			out = append(out, res{b.String(), err.Error(), "exec"})
			continue
		}
		out = append(out, res{b.String(), "", "ok"})
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
