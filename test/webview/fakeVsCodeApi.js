// The part of VS Code's webview API the inspector uses, recording everything.
(() => {
  const stateKey = 'inspector-harness-state';
  window.__posted = [];
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
  });
  let acquired = false;
  // A cross-site frame (workbench.html's) may not reach sessionStorage: the state then lives as long as the page.
  let memoryState;
  const storage = (() => {
    try {
      return window.sessionStorage;
    } catch {
      return undefined;
    }
  })();
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi called twice');
    acquired = true;
    return {
      postMessage(message) {
        window.__posted.push(message);
        // In workbench.html's frame: the workbench stand-in relays it to the host, as VS Code's does.
        if (window.parent !== window) window.parent.postMessage({ harnessPosted: message }, '*');
      },
      getState() {
        const saved = storage ? storage.getItem(stateKey) : memoryState;
        return saved ? JSON.parse(saved) : undefined;
      },
      setState(state) {
        if (storage) storage.setItem(stateKey, JSON.stringify(state));
        else memoryState = JSON.stringify(state);
      },
    };
  };
})();
