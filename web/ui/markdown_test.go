package ui

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMarkdownIsSafe(t *testing.T) {
	cases := []struct {
		name, src string
		want      []string
		never     []string
	}{
		{"headings, lists and links render", "## Grafana 11.4\n- faster\n\n[notes](https://grafana.com/docs)",
			[]string{"<h2>Grafana 11.4</h2>", "<li>faster</li>", `<a href="https://grafana.com/docs">notes</a>`}, nil},
		{"raw HTML is dropped", "hello <script>alert(1)</script> <img src=x onerror=alert(2)>",
			[]string{"hello"}, []string{"<script", "onerror", "<img"}},
		{"script links are emptied", "[click](javascript:alert(1))", []string{"click"}, []string{"javascript:"}},
		{"style attributes cannot come in", `<p style="color:red">x</p>`, nil, []string{"style="}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, Markdown(tc.src).Render(context.Background(), &b))
			for _, w := range tc.want {
				require.Contains(t, b.String(), w)
			}
			for _, n := range tc.never {
				require.NotContains(t, b.String(), n)
			}
		})
	}
}

// A timeline step whose message is a changelog renders it; any other
// message stays text, Markdown signs and all.
func TestTimelineRendersAChangelogStep(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, Timeline(TimelineVM{Title: "upgrade Backstage", State: "running", Steps: []StepVM{
		{Name: "check compatibility", State: "succeeded", Message: "## Backstage 1.31.0\n- new catalog UI", Markdown: true},
		{Name: "record current version", State: "failed", Message: "## not a heading"},
	}}).Render(context.Background(), &b))
	require.Contains(t, b.String(), "<h2>Backstage 1.31.0</h2>")
	require.Contains(t, b.String(), "<li>new catalog UI</li>")
	require.Contains(t, b.String(), `<span class="msg">## not a heading</span>`)
}
