import Testing
import Foundation
import NetIO
@testable import Diagnosis

/// Autoconfig documents in the ISPDB format (shapes of thunderbird/autoconfig ispdb files).
enum AutoconfigFixtures {
    /// After ispdb googlemail.com.xml: two domains incl. the MX domain, OAuth2 then password.
    static let google = """
        <?xml version="1.0" encoding="UTF-8"?>
        <clientConfig version="1.1">
          <emailProvider id="googlemail.com">
            <domain>gmail.com</domain>
            <domain>googlemail.com</domain>
            <domain>google.com</domain>
            <displayName>Google Mail</displayName>
            <displayShortName>GMail</displayShortName>
            <incomingServer type="imap">
              <hostname>imap.gmail.com</hostname>
              <port>993</port>
              <socketType>SSL</socketType>
              <username>%EMAILADDRESS%</username>
              <authentication>OAuth2</authentication>
              <authentication>password-cleartext</authentication>
            </incomingServer>
            <incomingServer type="pop3">
              <hostname>pop.gmail.com</hostname>
              <port>995</port>
              <socketType>SSL</socketType>
              <username>%EMAILADDRESS%</username>
              <authentication>OAuth2</authentication>
            </incomingServer>
            <outgoingServer type="smtp">
              <hostname>smtp.gmail.com</hostname>
              <port>465</port>
              <socketType>SSL</socketType>
              <username>%EMAILADDRESS%</username>
              <authentication>OAuth2</authentication>
              <authentication>password-cleartext</authentication>
            </outgoingServer>
            <documentation url="http://mail.google.com/support/bin/answer.py?answer=13273">
              <descr>How to enable IMAP/POP3 in GMail</descr>
            </documentation>
          </emailProvider>
        </clientConfig>
        """

    /// After ispdb gmx.net.xml: an <enable> step, STARTTLS alternatives.
    static let gmx = """
        <clientConfig version="1.1">
          <emailProvider id="gmx.net">
            <domain>gmx.net</domain>
            <displayName>GMX Freemail</displayName>
            <incomingServer type="imap">
              <hostname>imap.gmx.net</hostname><port>993</port><socketType>SSL</socketType>
              <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication>
            </incomingServer>
            <incomingServer type="imap">
              <hostname>imap.gmx.net</hostname><port>143</port><socketType>STARTTLS</socketType>
              <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication>
            </incomingServer>
            <outgoingServer type="smtp">
              <hostname>mail.gmx.net</hostname><port>587</port><socketType>STARTTLS</socketType>
              <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication>
            </outgoingServer>
            <outgoingServer type="smtp">
              <hostname>mail.gmx.net</hostname><port>465</port><socketType>SSL</socketType>
              <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication>
            </outgoingServer>
          </emailProvider>
          <enable visiturl="https://navigator.gmx.net/">
            <instruction>Sie müssen IMAP-Zugriff in den Einstellungen aktivieren.</instruction>
          </enable>
        </clientConfig>
        """

    /// A hoster's document: placeholders in host names, a foreign host, an unknown socket type first.
    static let hoster = """
        <clientConfig version="1.1">
          <emailProvider id="cornershop.example">
            <domain>cornershop.example</domain>
            <incomingServer type="imap">
              <hostname>imap.%EMAILDOMAIN%</hostname><port>993</port>
              <socketType>QUANTUM</socketType><socketType>SSL</socketType>
              <username>%EMAILLOCALPART%</username>
              <authentication>password-encrypted</authentication>
            </incomingServer>
            <outgoingServer type="smtp">
              <hostname>smtp.sharedhost.example</hostname><port>587</port><socketType>STARTTLS</socketType>
              <username>%EMAILADDRESS%</username><authentication>password-cleartext</authentication>
            </outgoingServer>
            <outgoingServer type="smtp">
              <hostname>relay.cornershop.example</hostname><port>25</port><socketType>plain</socketType>
              <authentication>client-IP-address</authentication>
            </outgoingServer>
            <incomingServer type="exchange"><hostname>ex.example</hostname><port>443</port><socketType>SSL</socketType></incomingServer>
          </emailProvider>
        </clientConfig>
        """
}

@Suite struct AutoconfigTests {
    @Test func googleDocument() throws {
        let doc = try AutoconfigDocument.parse(Data(AutoconfigFixtures.google.utf8), address: "shop@gmail.com",
                                               source: "https://autoconfig.gmail.com/mail/config-v1.1.xml")
        #expect(doc.providerID == "googlemail.com")
        #expect(doc.domains == ["gmail.com", "googlemail.com", "google.com"])
        #expect(doc.displayName == "Google Mail")
        #expect(doc.incoming.count == 1)
        #expect(doc.skipped == ["pop3"])
        let imap = try #require(doc.incoming.first)
        #expect(imap.endpoint == Endpoint(host: "imap.gmail.com", port: 993))
        #expect(imap.security == .implicitTLS)
        #expect(imap.username == "shop@gmail.com")
        #expect(imap.authKinds == [.oauth2, .password])
        #expect(imap.needsConfirmation == false)
        let smtp = try #require(doc.outgoing.first)
        #expect(smtp.endpoint == Endpoint(host: "smtp.gmail.com", port: 465))
        #expect(smtp.source == .autoconfig("https://autoconfig.gmail.com/mail/config-v1.1.xml"))
        #expect(doc.documentation == ["http://mail.google.com/support/bin/answer.py?answer=13273"])
    }

    @Test func alternativesKeepDocumentOrderAndEnableStep() throws {
        let doc = try AutoconfigDocument.parse(Data(AutoconfigFixtures.gmx.utf8), address: "laden@gmx.net")
        #expect(doc.incoming.map(\.port) == [993, 143])
        #expect(doc.incoming.map(\.security) == [.implicitTLS, .startTLS])
        #expect(doc.outgoing.map(\.port) == [587, 465])
        #expect(doc.enableInstruction?.url == "https://navigator.gmx.net/")
        #expect(doc.enableInstruction?.text.hasPrefix("Sie müssen IMAP") == true)
    }

    @Test func placeholdersSocketTypesAndForeignHosts() throws {
        let doc = try AutoconfigDocument.parse(Data(AutoconfigFixtures.hoster.utf8), address: "Till3@CornerShop.example")
        let imap = try #require(doc.incoming.first)
        #expect(imap.host == "imap.cornershop.example")
        #expect(imap.username == "Till3")
        #expect(imap.security == .implicitTLS, "the first socketType understood wins")
        #expect(imap.authKinds == [.challengeResponse])
        #expect(doc.outgoing.count == 2)
        #expect(doc.outgoing[0].needsConfirmation, "smtp.sharedhost.example is outside the domain")
        #expect(doc.outgoing[1].isPlaintext)
        #expect(doc.outgoing[1].authKinds == [.none])
        #expect(doc.outgoing[1].username == nil)
        #expect(doc.skipped == ["exchange"])
    }

    @Test(arguments: [
        ("<html><body>Not found</body></html>", "no <clientConfig>"),
        ("<clientConfig version=\"1.1\"></clientConfig>", "no <emailProvider>"),
        ("<clientConfig><emailProvider>", "not well-formed"),
        ("", "no <clientConfig>"),
    ])
    func badDocuments(xml: String, words: String) {
        #expect {
            _ = try AutoconfigDocument.parse(Data(xml.utf8), address: "a@b.example")
        } throws: { error in
            "\(error)".contains(words)
        }
    }

    @Test func oversizedDocumentIsRefused() {
        let big = Data(repeating: 0x20, count: AutoconfigDocument.maximumSize + 1)
        #expect(throws: AutoconfigDocument.ParseError.self) { try AutoconfigDocument.parse(big, address: "a@b.example") }
    }

    @Test func injectionInNamesIsRefused() throws {
        let xml = """
            <clientConfig><emailProvider id="x"><domain>x.example</domain>
            <incomingServer type="imap"><hostname>imap.x.example</hostname><port>993</port><socketType>SSL</socketType>
            <username>a&#13;&#10;a2 DELETE INBOX</username></incomingServer>
            <outgoingServer type="smtp"><hostname>smtp x.example</hostname><port>465</port><socketType>SSL</socketType></outgoingServer>
            </emailProvider></clientConfig>
            """
        let doc = try AutoconfigDocument.parse(Data(xml.utf8), address: "a@x.example")
        #expect(doc.incoming.isEmpty && doc.outgoing.isEmpty)
        #expect(doc.skipped == ["imap (invalid host or user name)", "smtp (invalid host or user name)"])
    }

    @Test func incompleteServersAreSkippedNotGuessed() throws {
        let xml = """
            <clientConfig><emailProvider id="x"><domain>x.example</domain>
            <incomingServer type="imap"><hostname>imap.x.example</hostname><socketType>SSL</socketType></incomingServer>
            <outgoingServer type="smtp"><hostname>smtp.x.example</hostname><port>99999</port><socketType>SSL</socketType></outgoingServer>
            </emailProvider></clientConfig>
            """
        let doc = try AutoconfigDocument.parse(Data(xml.utf8), address: "a@x.example")
        #expect(doc.incoming.isEmpty && doc.outgoing.isEmpty)
        #expect(doc.skipped == ["imap (incomplete)", "smtp (incomplete)"])
    }
}
