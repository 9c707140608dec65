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
