// Small browser helpers the studio calls through JS interop.
window.pgxStudio = {
    setCookie: function (name, value, days) {
        document.cookie = name + "=" + encodeURIComponent(value) + "; path=/; max-age=" + (days * 86400) + "; samesite=strict";
    },
    // The clipboard API exists only on https or localhost; a LAN browser on plain http falls back to execCommand.
    // Resolves to whether the text was copied, so the page never claims a copy that did not happen.
    copyText: async function (text) {
        if (navigator.clipboard && window.isSecureContext) {
            try { await navigator.clipboard.writeText(text); return true; } catch { }
        }
        const area = document.createElement("textarea");
        area.value = text;
        area.style.position = "fixed";
        area.style.opacity = "0";
        document.body.appendChild(area);
        area.select();
        let copied = false;
        try { copied = document.execCommand("copy"); } catch { }
        area.remove();
        return copied;
    },
    download: function (fileName, contentType, text) {
        const blob = new Blob([text], { type: contentType });
        const link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = fileName;
        link.click();
        URL.revokeObjectURL(link.href);
    }
};

// Plotly.Blazor queues every chart call until plotly.js has loaded, and checks that the chart still exists only when
// queueing. A chart removed meanwhile (a page that re-renders as results arrive, a quick navigation) then throws inside
// that queue, and every chart queued after it is never drawn. Calls for a chart that is gone are skipped instead.
(function () {
    const byChartId = ["newPlot", "react", "update", "extendTraces", "prependTraces", "addTraces", "deleteTraces",
                       "purge", "relayout", "restyle"];
    function guard(plotly) {
        if (!plotly || plotly.pgxGuarded) return;
        for (const name of byChartId) {
            const call = plotly[name];
            if (typeof call !== "function") continue;
            plotly[name] = function (chart) {
                if (typeof chart === "string" && document.getElementById(chart) === null) return Promise.resolve();
                return call.apply(this, arguments);
            };
        }
        plotly.pgxGuarded = true;
    }
    let loaded = window.Plotly;
    guard(loaded);
    // plotly.js assigns window.Plotly when its script runs: guard it before anything calls it.
    Object.defineProperty(window, "Plotly", {
        configurable: true,
        get: function () { return loaded; },
        set: function (value) { guard(value); loaded = value; },
    });
})();
