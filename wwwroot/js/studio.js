// Small browser helpers the studio calls through JS interop.
window.pgxStudio = {
    setCookie: function (name, value, days) {
        document.cookie = name + "=" + encodeURIComponent(value) + "; path=/; max-age=" + (days * 86400) + "; samesite=strict";
    },
    copyText: function (text) {
        return navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.resolve();
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
