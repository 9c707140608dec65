using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Localization;
using PgxStudio.Hosting;
using PgxStudio.Localization;

namespace PgxStudio.Accounts;

/// <summary>
/// With Studio:Auth accounts: every page needs a signed-in account. Plain HTML forms (no circuit needed to sign in):
/// /login, /logout, and /setup, which makes the first admin, only from the machine itself and only while there is no
/// account at all.
/// </summary>
public static class SignInPages
{
    const string LoginPolicy = "login";

    /// <summary>Login tries per browser address per minute; Identity's lockout is per account, this is per guesser.</summary>
    public const int LoginTriesPerMinute = 10;

    // /api authorises each call by its own API key (RunsApi), never by the session cookie.
    static readonly string[] OpenPaths = ["/api", "/v1", "/login", "/setup", "/_framework", "/_content", "/app.css", "/favicon.svg", "/js"];

    public static void AddSignIn(this IServiceCollection services)
    {
        services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
        new IdentityBuilder(typeof(StudioAccount), services).AddSignInManager().AddClaimsPrincipalFactory<AccountClaims>();
        services.ConfigureApplicationCookie(o =>
        {
            o.Cookie.Name = "pgx-session";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax; // Strict would drop the session on a link followed from chat or mail
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest; // Secure whenever the studio is reached over HTTPS
            o.ExpireTimeSpan = TimeSpan.FromDays(14);
            o.SlidingExpiration = true;
            o.LoginPath = "/login";
            o.Events = new CookieAuthenticationEvents
            {
                // A page's own fetches and the live connection get 401, not a login page they cannot show.
                OnRedirectToLogin = c =>
                {
                    c.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return Task.CompletedTask;
                },
                OnValidatePrincipal = SecurityStampValidator.ValidatePrincipalAsync,
            };
        });
        // A disabled account, or one whose role changed, is signed out within a minute everywhere.
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));
        services.AddRateLimiter(o =>
        {
            o.AddPolicy(LoginPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = LoginTriesPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            o.OnRejected = async (context, token) =>
            {
                context.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.HttpContext.Response.ContentType = "text/html; charset=utf-8";
                // The rate limiter answers before the request's language is chosen: these words are English.
                var L = Words(context.HttpContext);
                await context.HttpContext.Response.WriteAsync(Page(L, L["Sign in"], LoginForm(L, ""), L["Too many sign-in tries from this address; wait a minute and try again."]), token);
            };
        });
    }

    public static void UseSignIn(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseRateLimiter();
        app.Use(async (context, next) =>
        {
            if (context.User.Identity?.IsAuthenticated == true || OpenPaths.Any(p => context.Request.Path.StartsWithSegments(p)))
            {
                await next();
                return;
            }
            if (HttpMethods.IsGet(context.Request.Method) && !context.Request.Path.StartsWithSegments("/_blazor"))
            {
                var back = context.Request.Path + context.Request.QueryString;
                context.Response.Redirect("/login?returnUrl=" + Uri.EscapeDataString(back));
                return;
            }
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsync("Sign in first.");
        });

        app.MapGet("/login", async (HttpContext context, AccountService accounts) =>
        {
            var L = Words(context);
            return !await accounts.AnyAsync() ? NoAccountYet(context) : Html(Page(L, L["Sign in"], LoginForm(L, context.Request.Query["returnUrl"]), null));
        });

        app.MapPost("/login", async (HttpContext context, AccountService accounts, UserManager<StudioAccount> users, SignInManager<StudioAccount> signIn) =>
        {
            var L = Words(context);
            var form = await context.Request.ReadFormAsync();
            var back = form["returnUrl"].ToString();
            var account = await users.FindByNameAsync(form["name"].ToString().Trim());
            IResult Refuse(string sentence, int status = 200) => Html(Page(L, L["Sign in"], LoginForm(L, back), sentence), status);
            if (account is null) return Refuse(L["That user name and password do not match."]);
            var result = await signIn.CheckPasswordSignInAsync(account, form["password"].ToString(), lockoutOnFailure: true);
            if (result.IsLockedOut)
                return Refuse(L["Too many wrong passwords: this account is locked for {0} minutes; try again later or ask an admin.", AccountSettings.LockoutTime.TotalMinutes], StatusCodes.Status423Locked);
            if (!result.Succeeded) return Refuse(L["That user name and password do not match."]);
            if (account.Disabled) return Refuse(L["This account is disabled; ask an admin."]);
            await signIn.SignInAsync(account, isPersistent: true);
            return Results.Redirect(IsLocalPath(back) ? back : "/");
        }).RequireRateLimiting(LoginPolicy).DisableAntiforgery(); // a foreign page's post is refused by its Origin (HostGuard)

        app.MapPost("/logout", async (SignInManager<StudioAccount> signIn) =>
        {
            await signIn.SignOutAsync();
            return Results.Redirect("/login");
        }).DisableAntiforgery();

        app.MapGet("/setup", async (HttpContext context, AccountService accounts) =>
        {
            var L = Words(context);
            return await SetupRefusal(context, accounts) is { } refusal ? refusal : Html(Page(L, L["Create the first admin"], SetupForm(L), null));
        });

        app.MapPost("/setup", async (HttpContext context, AccountService accounts, UserManager<StudioAccount> users, SignInManager<StudioAccount> signIn) =>
        {
            if (await SetupRefusal(context, accounts) is { } refusal) return refusal;
            var L = Words(context);
            var form = await context.Request.ReadFormAsync();
            var name = form["name"].ToString().Trim();
            if (form["password"] != form["confirm"])
                return Html(Page(L, L["Create the first admin"], SetupForm(L), L["The two passwords differ; type the same password twice."]));
            try
            {
                await accounts.CreateFirstAdminAsync(name, form["password"].ToString());
            }
            catch (AccountProblem problem)
            {
                return Html(Page(L, L["Create the first admin"], SetupForm(L), problem.Message));
            }
            await signIn.SignInAsync((await users.FindByNameAsync(name))!, isPersistent: true);
            return Results.Redirect("/");
        }).RequireRateLimiting(LoginPolicy).DisableAntiforgery();
    }

    /// <summary>The setup page exists only for a browser on the machine and only before the first account.</summary>
    static async Task<IResult?> SetupRefusal(HttpContext context, AccountService accounts)
    {
        if (await accounts.AnyAsync()) return Results.Redirect("/login");
        var L = Words(context);
        if (!LocalRequests.IsLocal(context))
            return Html(Page(L, L["Create the first admin"], "", L["The first admin is created from a browser on the studio's machine, or there with: pgx user add NAME --admin."]), StatusCodes.Status403Forbidden);
        return null;
    }

    static IResult NoAccountYet(HttpContext context)
    {
        var L = Words(context);
        return LocalRequests.IsLocal(context)
            ? Results.Redirect("/setup")
            : Html(Page(L, L["Sign in"], "", L["The studio has no accounts yet; create the first admin from a browser on its machine, or there with: pgx user add NAME --admin."]));
    }

    /// <summary>The sign-in pages' words in the request's language (chosen by the cookie or the browser, as for every page).</summary>
    static IStringLocalizer Words(HttpContext context) => context.RequestServices.GetRequiredService<IStringLocalizer<Strings>>();

    static bool IsLocalPath(string path) => path.StartsWith('/') && !path.StartsWith("//") && !path.StartsWith("/\\");

    static IResult Html(string page, int status = 200) => Results.Content(page, "text/html; charset=utf-8", statusCode: status);

    static string LoginForm(IStringLocalizer L, string? returnUrl) => $"""
        <input type="hidden" name="returnUrl" value="{WebUtility.HtmlEncode(returnUrl ?? "")}">
        <label>{Encode(L["User name"])} <input name="name" id="login-name" autocomplete="username" autofocus></label>
        <label>{Encode(L["Password"])} <input name="password" id="login-password" type="password" autocomplete="current-password"></label>
        <button type="submit" id="login-submit">{Encode(L["Sign in"])}</button>
        """;

    static string SetupForm(IStringLocalizer L) => $"""
        <p>{Encode(L["No account exists yet. The first account is an admin: it adds the team's accounts on the Users page."])}</p>
        <label>{Encode(L["User name"])} <input name="name" id="setup-name" autocomplete="username" autofocus></label>
        <label>{Encode(L["Password (at least {0} characters)", AccountSettings.MinimumPasswordLength])} <input name="password" id="setup-password" type="password" autocomplete="new-password"></label>
        <label>{Encode(L["Password again"])} <input name="confirm" id="setup-confirm" type="password" autocomplete="new-password"></label>
        <button type="submit" id="setup-submit">{Encode(L["Create admin"])}</button>
        """;

    static string Encode(string text) => WebUtility.HtmlEncode(text);

    static string Language() => System.Globalization.CultureInfo.CurrentUICulture.Name is { Length: > 0 } name ? name : StudioCultures.English;

    static string Page(IStringLocalizer L, string title, string fields, string? problem) => $$"""
        <!DOCTYPE html><html lang="{{Language()}}"><head><meta charset="utf-8"><title>PGX Studio · {{Encode(title)}}</title>
        <style>body{font-family:Roboto,sans-serif;display:flex;justify-content:center;margin-top:15vh}form{display:flex;flex-direction:column;gap:12px;width:340px}input{width:100%}</style></head>
        <body><form method="post"><h2>PGX Studio · {{Encode(title)}}</h2>
        {{fields}}
        {{(problem is null ? "" : $"<p id=\"sign-in-problem\" style=\"color:#b00020\">{WebUtility.HtmlEncode(problem)}</p>")}}
        </form></body></html>
        """;
}
