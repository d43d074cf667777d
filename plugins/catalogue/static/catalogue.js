// de.NBI Service Registry: instant filtering for the catalogue
// (plugins/catalogue). The page works without this script: the form
// submits to /catalogue/ and every state is a plain URL. With it, typing,
// ticking and choosing fetch only the results from /catalogue/grid/, the
// address bar follows (so the state stays shareable), and Back/Forward
// restore earlier states.

const form = document.getElementById('catalogue-form');
const list = document.getElementById('catalogue-list');
const count = document.getElementById('catalogue-count');
const facets = document.getElementById('catalogue-facets');

if (form && list && count) {
  enhance();
}

function enhance() {
  const search = form.elements.namedItem('q');
  let controller = null;
  let timer = 0;

  // the results follow every change, so the apply buttons are not needed
  for (const button of document.querySelectorAll('[data-apply]')) {
    button.hidden = true;
  }
  // small screens: filters start folded so the results come first
  if (facets && window.matchMedia('(max-width: 52rem)').matches && !hasFilters(new URLSearchParams(location.search))) {
    facets.open = false;
  }

  // the state of the form as canonical query parameters (defaults left out)
  function formParams() {
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      const v = String(value).trim();
      if (v === '' || (name === 'sort' && v === 'name_asc') || (name === 'view' && v === 'grid')) {
        continue;
      }
      params.append(name, v);
    }
    return params;
  }

  async function load(params, { history: mode = 'push', focusResults = false } = {}) {
    if (controller) {
      controller.abort();
    }
    controller = new AbortController();
    const { signal } = controller;
    list.setAttribute('aria-busy', 'true');
    try {
      const query = params.toString();
      const response = await fetch('/catalogue/grid/' + (query ? '?' + query : ''), {
        signal,
        headers: { Accept: 'text/html' },
        credentials: 'same-origin',
      });
      if (!response.ok) {
        throw new Error('HTTP ' + response.status);
      }
      const html = await response.text();
      if (signal.aborted) {
        return;
      }
      const doc = new DOMParser().parseFromString(html, 'text/html');
      const newList = doc.querySelector('[data-list]');
      const newCount = doc.querySelector('[data-count]');
      if (!newList || !newCount) {
        throw new Error('unexpected answer');
      }
      list.replaceChildren(...newList.childNodes);
      count.replaceChildren(...newCount.childNodes);
      const url = response.headers.get('X-Catalogue-Url') || '/catalogue/' + (query ? '?' + query : '');
      if (mode !== 'none' && url !== location.pathname + location.search) {
        if (mode === 'replace') {
          history.replaceState({ catalogue: true }, '', url);
        } else {
          history.pushState({ catalogue: true }, '', url);
        }
      }
      if (focusResults) {
        count.setAttribute('tabindex', '-1');
        count.focus({ preventScroll: true });
        document.getElementById('results').scrollIntoView({ block: 'start' });
      }
    } catch (err) {
      if (err.name === 'AbortError') {
        return;
      }
      // fall back to a full page load, which always works
      location.assign('/catalogue/?' + params.toString());
    } finally {
      if (!signal.aborted) {
        list.removeAttribute('aria-busy');
      }
    }
  }

  // make the form show the state of a URL (Back/Forward, filter pills)
  function syncForm(params) {
    for (const el of form.elements) {
      if (!el.name) {
        continue;
      }
      if (el.type === 'checkbox') {
        el.checked = params.getAll(el.name).includes(el.value);
      } else if (el.tagName === 'SELECT') {
        el.value = params.get(el.name) || el.options[0].value;
      } else if (el.type === 'search' || el.type === 'text') {
        el.value = params.get(el.name) || '';
      }
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(timer);
    load(formParams(), { focusResults: true });
  });

  // the sort, group and view selects sit next to the results, outside the
  // form element (form="catalogue-form"), so listen on the document
  document.addEventListener('change', (event) => {
    if (event.target.form !== form || event.target === search) {
      return; // not ours, or typing, which is handled below
    }
    clearTimeout(timer);
    load(formParams());
  });

  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => load(formParams(), { history: 'replace' }), 250);
  });

  // pagination, filter pills and "clear" links
  document.addEventListener('click', (event) => {
    const link = event.target.closest('a[data-nav]');
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    const url = new URL(link.href, location.href);
    if (url.origin !== location.origin || url.pathname !== '/catalogue/') {
      return;
    }
    event.preventDefault();
    syncForm(url.searchParams);
    load(url.searchParams, { focusResults: true });
  });

  window.addEventListener('popstate', () => {
    const params = new URLSearchParams(location.search);
    syncForm(params);
    load(params, { history: 'none' });
  });
}

function hasFilters(params) {
  return ['category', 'center', 'topic', 'maturity'].some((name) => params.has(name));
}
